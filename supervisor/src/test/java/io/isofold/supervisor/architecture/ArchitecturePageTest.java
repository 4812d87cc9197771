package io.isofold.supervisor.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md has a row for every package of the supervisor and of the worker, and its "never
 * imports" column says what the package's package-info says (which {@code PackageDependenciesTest} enforces),
 * so the page a newcomer reads first cannot drift from the rules the build holds.
 */
@Tag("unit")
class ArchitecturePageTest {
    private static final Path PAGE = Path.of("../docs/architecture.md");
    private static final Path SUPERVISOR = Path.of("src/main/java/io/isofold/supervisor");
    private static final Path WORKER = Path.of("../worker/src/main/java/io/isofold/worker");
    private static final Pattern NEVER = Pattern.compile("Never imports: ([a-z, ]+)\\.");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)`[^|]*\\|.*\\| ([^|]+) \\|$");

    @Test
    void theSupervisorsTableSaysWhatEachPackageInfoSays() throws IOException {
        assertThat(table("## The supervisor's packages")).as("docs/architecture.md, the supervisor's packages")
                .isEqualTo(rules(SUPERVISOR, false));
    }

    @Test
    void theWorkersTableSaysWhatEachPackageInfoSays() throws IOException {
        assertThat(table("## The worker's packages")).as("docs/architecture.md, the worker's packages")
                .isEqualTo(rules(WORKER, true));
    }

    /** Package name to its never-imports cell, as the page would have to write it; the worker's top is "worker". */
    private static Map<String, String> rules(Path root, boolean withTop) throws IOException {
        Map<String, String> rules = new LinkedHashMap<>();
        List<Path> dirs = new ArrayList<>();
        if (withTop) {
            dirs.add(root);
        }
        try (Stream<Path> sub = Files.list(root)) {
            sub.filter(Files::isDirectory).sorted().forEach(dirs::add);
        }
        for (Path dir : dirs) {
            String text = Files.readString(dir.resolve("package-info.java"));
            Matcher m = NEVER.matcher(text);
            String cell = m.find() ? m.group(1).strip()
                    : text.contains("Never imports another package") ? "any other package"
                    : text.contains("Imports any package") ? "(the top: imports anything)"
                    : "(the package-info says nothing)";
            rules.put(dir.equals(root) ? "worker" : dir.getFileName().toString(), cell);
        }
        return sortedByName(rules);
    }

    /** The rows of the page's table under {@code heading}: package to its last cell. */
    private static Map<String, String> table(String heading) throws IOException {
        List<String> lines = Files.readAllLines(PAGE);
        int at = lines.indexOf(heading);
        assertThat(at).as("docs/architecture.md has the heading %s", heading).isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            Matcher m = ROW.matcher(lines.get(i).strip());
            if (m.matches()) {
                String name = m.group(1).equals("io.isofold.worker") ? "worker" : m.group(1);
                rows.put(name, m.group(2).strip());
            }
        }
        return sortedByName(rows);
    }

    private static Map<String, String> sortedByName(Map<String, String> map) {
        Map<String, String> sorted = new LinkedHashMap<>();
        map.keySet().stream().sorted().forEach(k -> sorted.put(k, map.get(k)));
        return sorted;
    }
}
