package io.isofold.supervisor.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every package of the supervisor says in its package-info what it must never import, and no class of it
 * does (by import or by a fully qualified name). The package-info is the one place the rule is written.
 */
@Tag("unit")
class PackageDependenciesTest {
    private static final Path ROOT = Path.of("src/main/java/io/isofold/supervisor");
    private static final Pattern NEVER = Pattern.compile("Never imports: ([a-z, ]+)\\.");
    private static final Pattern REFERENCE = Pattern.compile("io\\.isofold\\.supervisor\\.([a-z]+)\\.[A-Za-z]");

    @Test
    void noPackageImportsWhatItsPackageInfoForbids() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path pkg : packages()) {
            String name = pkg.getFileName().toString();
            Set<String> forbidden = forbidden(pkg);
            try (Stream<Path> sources = Files.list(pkg)) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REFERENCE.matcher(Files.readString(source));
                    while (m.find()) {
                        if (!m.group(1).equals(name) && forbidden.contains(m.group(1))) {
                            violations.add(ROOT.relativize(source) + " uses " + m.group(1));
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void everyPackageSaysWhatItOwnsAndWhatItMustNeverImport() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path pkg : packages()) {
            Path info = pkg.resolve("package-info.java");
            if (!Files.exists(info)) {
                missing.add(pkg.getFileName() + " has no package-info.java");
                continue;
            }
            String text = Files.readString(info);
            if (!NEVER.matcher(text).find() && !text.contains("Never imports another package")
                    && !text.contains("Imports any package")) {
                missing.add(pkg.getFileName() + "'s package-info does not say what it must never import");
            }
        }
        assertThat(missing).isEmpty();
        assertThat(packages()).hasSizeGreaterThan(10);
    }

    private static Set<String> forbidden(Path pkg) throws IOException {
        Path info = pkg.resolve("package-info.java");
        Set<String> all = new TreeSet<>();
        packages().forEach(p -> all.add(p.getFileName().toString()));
        if (!Files.exists(info)) {
            return Set.of();
        }
        String text = Files.readString(info);
        if (text.contains("Never imports another package")) {
            return all;
        }
        Matcher m = NEVER.matcher(text);
        Set<String> forbidden = new TreeSet<>();
        if (m.find()) {
            for (String p : m.group(1).split(",")) {
                forbidden.add(p.strip());
            }
            assertThat(all).as("packages named in %s", info).containsAll(forbidden);
        }
        return forbidden;
    }

    private static List<Path> packages() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }
}
