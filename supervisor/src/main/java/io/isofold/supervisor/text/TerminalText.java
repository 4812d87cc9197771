package io.isofold.supervisor.text;

/**
 * Text made safe to show on a terminal. A worker's stderr, the names of its metrics and the reasons
 * that quote them may hold characters a terminal acts on instead of printing: escape sequences that
 * clear the screen, set the window's title or move the cursor to overwrite a line (a fake "run
 * complete"), C1 controls that some terminals take for the same, and Unicode's bidirectional
 * overrides that make text read other than it is. Each such character is shown as a visible escape,
 * {@code \u001b}: the text stays readable and says what was there. It is also valid inside a JSON
 * string (status --json), where it reads back as the same character.
 *
 * <p>Applied where text reaches a terminal or the log: every line the console writes, every line
 * of supervisor.log. The journal and the JSON files keep the worker's own text.
 */
public final class TerminalText {
    private TerminalText() {}

    /** A line or a block of lines: newlines and tabs stay, every other control is escaped. */
    public static String safe(String text) {
        return escape(text, false);
    }

    /** One field within a line (a name, a reason): newlines and tabs are escaped too, so it cannot start a line. */
    public static String oneLine(String text) {
        return escape(text, true);
    }

    /**
     * Whether a terminal acts on this character rather than printing it: C0 controls (newline and tab
     * among them), DEL, C1 controls, and the bidirectional marks, embeddings, overrides and isolates.
     */
    public static boolean control(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
                || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    private static String escape(String text, boolean oneLine) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !escaped(text.charAt(i), oneLine)) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped(c, oneLine)) {
                String hex = Integer.toHexString(c);
                out.append("\\u").append("000", 0, 4 - hex.length()).append(hex);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c, boolean oneLine) {
        return control(c) && (oneLine || (c != '\n' && c != '\t'));
    }
}
