package io.isofold.worker.architecture;

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
 * Every package of the worker says in its package-info what it must never import, and no class of it does
 * (by import or by a fully qualified name), as the supervisor's packages are held to theirs. The top package,
 * {@code io.isofold.worker}, is named {@code worker} in these lines.
 */
@Tag("unit")
class PackageDependenciesTest {
    private static final Path ROOT = Path.of("src/main/java/io/isofold/worker");
    private static final String TOP = "worker";
    private static final Pattern NEVER = Pattern.compile("Never imports: ([a-z, ]+)\\.");
    /** A class of a sub-package ({@code io.isofold.worker.data.Dataset}), or of the top package ({@code io.isofold.worker.Standby}). */
    private static final Pattern REFERENCE = Pattern.compile("io\\.isofold\\.worker\\.(?:([a-z]+)\\.)?[A-Z]");

    @Test
    void noPackageUsesWhatItsPackageInfoForbids() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String name : packages()) {
            Set<String> forbidden = forbidden(name);
            try (Stream<Path> sources = Files.list(dir(name))) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REFERENCE.matcher(Files.readString(source));
                    while (m.find()) {
                        String used = m.group(1) == null ? TOP : m.group(1);
                        if (!used.equals(name) && forbidden.contains(used)) {
                            violations.add(ROOT.relativize(source) + " uses " + used);
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
        for (String name : packages()) {
            Path info = dir(name).resolve("package-info.java");
            if (!Files.exists(info)) {
                missing.add(name + " has no package-info.java");
                continue;
            }
            String text = Files.readString(info);
            if (!NEVER.matcher(text).find() && !text.contains("Never imports another package")
                    && !text.contains("Imports any package")) {
                missing.add(name + "'s package-info does not say what it must never import");
            }
        }
        assertThat(missing).isEmpty();
        assertThat(packages()).contains(TOP, "data", "device", "model", "train");
    }

    private static Set<String> forbidden(String name) throws IOException {
        Path info = dir(name).resolve("package-info.java");
        Set<String> all = new TreeSet<>(packages());
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

    private static Path dir(String name) {
        return name.equals(TOP) ? ROOT : ROOT.resolve(name);
    }

    /** The top package and its sub-packages, by the names the package-infos use. */
    private static List<String> packages() throws IOException {
        List<String> names = new ArrayList<>();
        names.add(TOP);
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().forEach(names::add);
        }
        return names;
    }
}
