package io.isofold.supervisor.report;

import java.util.ArrayList;
import java.util.List;

/** Names on charts, whole: a variant's name is wrapped onto more lines rather than cut at the chart's edge. */
final class Labels {
    /** About what one character of the charts' 12 to 13 px labels takes, in pixels: a little more than the mean. */
    static final double CHAR_PX = 7.6;

    private Labels() {}

    /**
     * Lines of at most {@code maxChars} characters that together are {@code text}: broken after a '_', '/' or space
     * near the end of a line, else after a '-' or '.' (the way variants' names are built), else in the middle of a
     * word.
     */
    static List<String> wrap(String text, int maxChars) {
        List<String> lines = new ArrayList<>();
        String rest = text == null ? "" : text;
        int max = Math.max(4, maxChars);
        while (rest.length() > max) {
            int cut = -1;
            // between params first (lr-0.1_batch-32), then between a param's name and its value
            for (String separators : List.of("_ /", "-.")) {
                for (int i = max; i >= max / 2 && cut < 0; i--) {
                    if (separators.indexOf(rest.charAt(i - 1)) >= 0) {
                        cut = i;
                    }
                }
                if (cut >= 0) {
                    break;
                }
            }
            if (cut < 0) {
                cut = max;
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut);
        }
        lines.add(rest);
        return lines;
    }

    /** Characters that fit in {@code pixels}. */
    static int fit(double pixels) {
        return Math.max(4, (int) Math.floor(pixels / CHAR_PX));
    }
}
