package io.isofold.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isofold.shared.ModelConfig;
import io.isofold.supervisor.spec.BadInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 21 item 10: --param values are text as typed; only what JSON can hold exactly becomes a number. */
@Tag("unit")
class ParamGridTest {

    private static Map<String, Object> only(List<String> params) throws BadInput {
        List<ModelConfig> v = ParamGrid.variants(params);
        assertThat(v).hasSize(1);
        return v.get(0).params();
    }

    @Test
    void valuesThatANumberWouldRewriteStayTheTextTyped() throws BadInput {
        assertThat(only(List.of("ver=1.10"))).containsEntry("ver", "1.10");
        assertThat(only(List.of("ckpt=007"))).containsEntry("ckpt", "007");
        assertThat(only(List.of("id=12345678901234567890"))).containsEntry("id", "12345678901234567890");
        assertThat(only(List.of("lr=1e-3"))).containsEntry("lr", "1e-3");
        assertThat(only(List.of("x=-0"))).containsEntry("x", "-0");
        assertThat(only(List.of("x=2.50"))).containsEntry("x", "2.50");
    }

    @Test
    void numbersThatReadBackAsTypedStayNumbers() throws BadInput {
        assertThat(only(List.of("batch=32"))).containsEntry("batch", 32L);
        assertThat(only(List.of("lr=0.1"))).containsEntry("lr", 0.1);
        assertThat(only(List.of("lr=0.0001"))).containsEntry("lr", 0.0001);
        assertThat(only(List.of("scale=2.0"))).containsEntry("scale", 2.0);
        assertThat(only(List.of("shift=-3"))).containsEntry("shift", -3L);
        assertThat(only(List.of("seed=9007199254740992"))).containsEntry("seed", 9007199254740992L);
        assertThat(only(List.of("seed=9007199254740993"))).containsEntry("seed", "9007199254740993");
    }

    @Test
    void aParamIsOneTypeAcrossItsVariants() throws BadInput {
        List<ModelConfig> v = ParamGrid.variants(List.of("ver=1.10,1.1"));
        assertThat(v).extracting(ModelConfig::name).containsExactly("ver-1.10", "ver-1.1");
        assertThat(v).extracting(c -> c.params().get("ver")).containsExactly("1.10", "1.1");
        assertThat(ParamGrid.variants(List.of("lr=0.1,0.01"))).extracting(c -> c.params().get("lr"))
                .containsExactly(0.1, 0.01);
    }

    @Test
    void namesShowTheValuesAsTyped() throws BadInput {
        assertThat(ParamGrid.variants(List.of("lr=0.0001,0.5", "ckpt=007")))
                .extracting(ModelConfig::name).containsExactly("lr-0.0001_ckpt-007", "lr-0.5_ckpt-007");
    }

    @Test
    void aValueOrANameGivenTwiceAndAnEmptyValueAreRefused() {
        assertThatThrownBy(() -> ParamGrid.variants(List.of("ver=1.1,1.1"))).isInstanceOf(BadInput.class)
                .hasMessageContaining("'1.1' is given twice");
        assertThatThrownBy(() -> ParamGrid.variants(List.of("x=1", "x=2"))).isInstanceOf(BadInput.class)
                .hasMessageContaining("--param x is given twice");
        assertThatThrownBy(() -> ParamGrid.variants(List.of("lr=0.1,"))).isInstanceOf(BadInput.class)
                .hasMessageContaining("value ''");
        assertThatThrownBy(() -> ParamGrid.variants(List.of("x=+1"))).isInstanceOf(BadInput.class)
                .hasMessageContaining("variant's name");
    }

    /** Issue 18 item 7: the reports show the params as columns, in the order --param gave them. */
    @Test
    void paramsKeepTheOrderTheyWereGivenIn() throws BadInput {
        List<String> names = List.of("lr", "batch", "dropout", "units", "decay", "warmup", "momentum", "seed", "act");
        List<String> params = names.stream().map(n -> n + "=1").toList();
        assertThat(only(params).keySet()).containsExactlyElementsOf(names);
        // and through run.json, as a resume or `report DIR` reads it back
        ModelConfig read = io.isofold.shared.Json.MAPPER.convertValue(
                io.isofold.shared.Json.MAPPER.valueToTree(ParamGrid.variants(params).get(0)), ModelConfig.class);
        assertThat(read.params().keySet()).containsExactlyElementsOf(names);
    }
}
