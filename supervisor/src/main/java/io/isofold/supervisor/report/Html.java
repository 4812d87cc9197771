package io.isofold.supervisor.report;

import io.isofold.supervisor.text.TerminalText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Escaping for text that reaches the page: model names, reasons and paths come from users and workers. */
final class Html {
    private Html() {}

    /** Safe in element content and in quoted attribute values, HTML and SVG alike. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    // control characters are not allowed in XML (SVG) and only confuse HTML; bidirectional
                    // overrides would make a worker's text read other than it is
                    if (TerminalText.control(c) && c != '\n' && c != '\t' && c != '\r') {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * JSON for a {@code <script type="application/json">} block. Escaping every {@code <}, {@code >} and
     * {@code &} as \\u00XX keeps the JSON equal in value and makes {@code </script>} and {@code <!--}
     * impossible inside the block; those characters only ever occur inside JSON strings. So do the
     * controls JSON leaves raw (DEL, C1, bidirectional overrides, U+2028 and U+2029, which end a line
     * in a script), escaped the same way ({@link TerminalText}): the page's source reads as it is.
     */
    static String scriptJson(String json) {
        return TerminalText.oneLine(json).replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("&", "\\u0026");
    }

    /** Local date and time for people: {@code 2025-03-01 21:00 CET}, in the zone the page was written in. */
    static final DateTimeFormatter HUMAN_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT);
    static final DateTimeFormatter HUMAN_TIME_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    static String humanTime(Instant t, ZoneId zone) {
        return t == null ? "?" : HUMAN_TIME.format(t.atZone(zone));
    }

    static String humanTimeSeconds(Instant t, ZoneId zone) {
        return t == null ? "?" : HUMAN_TIME_SECONDS.format(t.atZone(zone));
    }

    /**
     * A {@code <time>} element: the local time of the machine that wrote the page, which the page's script
     * turns into the reader's own local time; the exact instant stays in {@code datetime} for tools.
     */
    static String time(Instant t, ZoneId zone) {
        if (t == null) {
            return "?";
        }
        return "<time class=\"local\" datetime=\"" + escape(t.toString()) + "\">" + escape(humanTime(t, zone))
                + "</time>";
    }

    /** Percent-encodes one path segment of a relative link (a directory name may hold spaces or '#'). */
    static String urlSegment(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
