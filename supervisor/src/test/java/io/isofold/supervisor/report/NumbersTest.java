package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class NumbersTest {

    /** results.csv's cells: every digit, never an exponent, the same text whichever way it is made. */
    @Test
    void exactIsThePlainShortestTextOfTheDouble() {
        for (double v : new double[] {0.0, -0.0, 1.0, -5.5, 0.001, 0.00099, 9999999.0, 1e7, 1.5e-300, 0.1 + 0.2,
                123456789.123, Math.PI, Double.MIN_VALUE, Double.MAX_VALUE}) {
            assertThat(Numbers.exact(v)).as("%s", v).isEqualTo(BigDecimal.valueOf(v).toPlainString())
                    .doesNotContain("E");
        }
        assertThat(Numbers.exact(-0.0)).isEqualTo("0.0");
        assertThat(Numbers.exact(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(Numbers.exact(1e7)).isEqualTo("10000000");
        assertThat(Numbers.exact(Double.NaN)).isEmpty();
        assertThat(Numbers.exact(null)).isEmpty();
    }
}
