package io.isofold.supervisor.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TerminalTextTest {

    @Test
    void escapeSequencesC1ControlsDelAndBidiOverridesBecomeVisibleEscapes() {
        assertThat(TerminalText.safe("\u001b[2J\u001b]0;title\u0007\rdone\u009b31m\u007f\u202eexe.txt\u2066x\u2069"))
                .isEqualTo("\\u001b[2J\\u001b]0;title\\u0007\\u000ddone\\u009b31m\\u007f\\u202eexe.txt\\u2066x\\u2069");
    }

    @Test
    void linesKeepTheirNewlinesAndTabsAndAFieldDoesNot() {
        assertThat(TerminalText.safe("a\tb\nc\u0000")).isEqualTo("a\tb\nc\\u0000");
        assertThat(TerminalText.oneLine("f1\nrun complete\t10/10")).isEqualTo("f1\\u000arun complete\\u000910/10");
    }

    @Test
    void plainTextAndOtherScriptsPassAsTheyAre() {
        String text = "val_accuracy 0.91 ± 0.01 ↑ naïve 精度 مقياس \uD83D\uDE00";
        assertThat(TerminalText.safe(text)).isSameAs(text);
        assertThat(TerminalText.oneLine(text)).isSameAs(text);
        assertThat(TerminalText.safe(null)).isNull();
    }
}
