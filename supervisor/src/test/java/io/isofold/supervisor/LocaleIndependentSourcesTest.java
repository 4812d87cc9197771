package io.isofold.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 6: under a German locale {@code String.format("%.1fm", ...)} wrote "1331,2m" into run.json,
 * and the run could not be resumed; under a Turkish one {@code "INFO".toLowerCase()} is "ınfo". Every
 * call of the three modules that formats numbers or dates, or changes case, names its locale, so what
 * the programs write reads the same whatever locale they run under.
 */
@Tag("unit")
class LocaleIndependentSourcesTest {
    private static final String LOCALE = "\\s*(?:java\\.util\\.)?Locale\\.";
    private static final List<Pattern> DEFAULT_LOCALE = List.of(
            Pattern.compile("String\\.format\\((?!" + LOCALE + ")"),
            Pattern.compile("\\.printf\\((?!" + LOCALE + ")"),
            Pattern.compile("System\\.(?:out|err)\\.format\\((?!" + LOCALE + ")"),
            Pattern.compile("\\.formatted\\("),
            Pattern.compile("\\.to(?:Lower|Upper)Case\\(\\s*\\)"),
            Pattern.compile("new\\s+(?:DecimalFormat|SimpleDateFormat)\\("),
            Pattern.compile("NumberFormat\\.get\\w*Instance\\(\\s*\\)"),
            Pattern.compile("new\\s+Formatter\\([^;]*\\)(?<!Locale\\.ROOT\\))"),
            Pattern.compile("DateTimeFormatter\\.ofPattern\\(\"[^\"]*\"\\)"));
    private static final Pattern COMMENT_LINE = Pattern.compile("(?m)^[ \\t]*(?://|/?\\*).*$");

    @Test
    void noMainSourceFormatsOrChangesCaseInTheDefaultLocale() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : List.of("shared", "worker", "supervisor")) {
            Path sources = Path.of("..", module, "src", "main", "java");
            assertThat(sources).as("run from the supervisor module's directory").isDirectory();
            try (Stream<Path> walk = Files.walk(sources)) {
                for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    files++;
                    found.addAll(defaultLocaleCalls(file));
                }
            }
        }
        assertThat(files).isGreaterThan(100);
        assertThat(found).as("calls that use the default locale; give Locale.ROOT").isEmpty();
    }

    /** The guard itself: it sees each kind of call it exists for, and lets the Locale.ROOT forms pass. */
    @Test
    void theGuardSeesWhatItLooksFor() throws IOException {
        Path file = Files.createTempFile("Sample", ".java");
        try {
            Files.writeString(file, String.join("\n",
                    "class Sample {",
                    "  // String.format(\"%d\", 1) in a comment is fine",
                    "  String a = String.format(\"%.1fm\", 1.5);",
                    "  String b = s.toLowerCase();",
                    "  String c = \"%s\".formatted(x);",
                    "  String d = String.format(java.util.Locale.ROOT, \"%.1f\", 1.5) + s.toUpperCase(Locale.ROOT);",
                    "  String e = String.format(",
                    "      Locale.ROOT, \"%d\", 2);",
                    "  void f() { System.out.printf(\"%d%n\", 3); System.err.printf(Locale.ROOT, \"%d%n\", 3); }",
                    "}"));
            assertThat(defaultLocaleCalls(file)).hasSize(4)
                    .anyMatch(s -> s.contains(":3:")).anyMatch(s -> s.contains(":4:"))
                    .anyMatch(s -> s.contains(":5:")).anyMatch(s -> s.contains(":9:"));
        } finally {
            Files.delete(file);
        }
    }

    private static List<String> defaultLocaleCalls(Path file) throws IOException {
        String text = COMMENT_LINE.matcher(Files.readString(file)).replaceAll("");
        String original = Files.readString(file);
        List<String> found = new ArrayList<>();
        for (Pattern p : DEFAULT_LOCALE) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                found.add(file + ":" + line(text, m.start()) + ": " + lineText(text, m.start()).strip());
            }
        }
        assertThat(text.lines().count()).isEqualTo(original.lines().count());
        return found;
    }

    private static long line(String text, int offset) {
        return text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }

    private static String lineText(String text, int offset) {
        int start = text.lastIndexOf('\n', offset) + 1;
        int end = text.indexOf('\n', offset);
        return text.substring(start, end < 0 ? text.length() : end);
    }
}
