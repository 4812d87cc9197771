package io.isofold.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's options table says what {@code scripts/run.sh run --help} says: every option of {@code run} once,
 * written as the help writes it ({@code --folds K}, {@code --[no-]standby}), with the help's "Default: ..." text,
 * and "yes" in its resume column exactly for the options {@code resume} takes. The help is picocli's model of
 * the two commands, the same one {@code --help} prints, so the table cannot drift from the code.
 */
@Tag("unit")
class ReadmeOptionsTest {
    private static final Path README = Path.of("../README.md");
    private static final String HEADER = "| option | default | resume | meaning |";
    private static final Pattern DEFAULT = Pattern.compile("Default: (.+?)\\.?$");
    /** A cell boundary: a pipe not escaped as {@code \|}. */
    private static final Pattern CELL = Pattern.compile("(?<!\\\\)\\|");

    /** One row of the README's table. */
    record Row(String option, String defaultText, boolean resume) {}

    @Test
    void everyOptionOfRunSaysItsDefault() {
        List<String> without = new ArrayList<>();
        for (OptionSpec o : options(new RunCommand())) {
            if (helpDefault(o) == null) {
                without.add(o.longestName());
            }
        }
        assertThat(without).as("options whose help ends without 'Default: ...'").isEmpty();
    }

    @Test
    void theReadmeTableHasEveryOptionOfRunWithTheHelpsDefaultAndNoOther() throws IOException {
        Map<String, Row> table = table(Files.readAllLines(README));
        Set<String> resumable = new TreeSet<>();
        options(new ResumeCommand()).forEach(o -> resumable.add(o.longestName()));
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (OptionSpec o : options(new RunCommand())) {
            String written = written(o);
            String defaultText = helpDefault(o);
            boolean resume = resumable.contains(o.longestName());
            seen.add(written);
            Row row = table.get(written);
            if (row == null) {
                problems.add(written + " is missing; add the row: | `" + written.replace("|", "\\|") + "` | "
                        + defaultText + " | " + (resume ? "yes" : "") + " | ... |");
                continue;
            }
            if (defaultText == null) {
                problems.add(written + ": its help says no default; end its description with \"Default: ...\"");
            } else if (!row.defaultText().equals(defaultText)) {
                problems.add(written + ": the table's default is '" + row.defaultText() + "', the help's '"
                        + defaultText + "'");
            }
            if (row.resume() != resume) {
                problems.add(written + ": the table says a resume " + (row.resume() ? "may" : "may not")
                        + " change it, but resume " + (resume ? "takes" : "does not take") + " it");
            }
        }
        for (String option : table.keySet()) {
            if (!seen.contains(option)) {
                problems.add(option + " is in the table but is no option of run");
            }
        }
        assertThat(problems).as("README.md's options table against scripts/run.sh run --help").isEmpty();
    }

    @Test
    void resumeTakesNoOptionThatRunLacks() {
        Set<String> run = new TreeSet<>();
        options(new RunCommand()).forEach(o -> run.add(o.longestName()));
        Set<String> resume = new TreeSet<>();
        options(new ResumeCommand()).forEach(o -> resume.add(o.longestName()));
        assertThat(run).containsAll(resume);
    }

    /** The options a user gives, without picocli's --help and --version. */
    private static List<OptionSpec> options(Object command) {
        return new CommandLine(command).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
    }

    /** The option as the help's usage writes it: {@code --folds K}, {@code --[no-]race}, {@code --dry-run}. */
    static String written(OptionSpec o) {
        String name = o.longestName();
        if (o.negatable()) {
            return "--[no-]" + name.substring(2);
        }
        return o.arity().max() == 0 ? name : name + " " + o.paramLabel();
    }

    /** What follows "Default: " in the option's help, without the closing full stop; null when it says none. */
    static String helpDefault(OptionSpec o) {
        String text = String.join(" ", o.description()).strip();
        int at = text.lastIndexOf("Default: ");
        if (at < 0) {
            return null;
        }
        Matcher m = DEFAULT.matcher(text.substring(at));
        return m.find() ? m.group(1) : null;
    }

    /** The rows of the table under {@link #HEADER}, by their option as written; a second row of one option fails. */
    static Map<String, Row> table(List<String> lines) {
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(HEADER)) {
                assertThat(header).as("README.md has one options table (%s)", HEADER).isEqualTo(-1);
                header = i;
            }
        }
        assertThat(header).as("README.md has an options table headed %s", HEADER).isNotNegative();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).strip().startsWith("|"); i++) {
            String[] cells = CELL.split(lines.get(i).strip());
            assertThat(cells).as("row %s has four cells", lines.get(i)).hasSizeGreaterThanOrEqualTo(5);
            Row row = new Row(plain(cells[1]), plain(cells[2]), plain(cells[3]).equals("yes"));
            assertThat(rows.put(row.option(), row)).as("a second row for %s", row.option()).isNull();
        }
        return rows;
    }

    /** A cell's text as a reader sees it: without the code marks, {@code \|} a pipe. */
    private static String plain(String cell) {
        return cell.strip().replace("`", "").replace("\\|", "|");
    }
}
