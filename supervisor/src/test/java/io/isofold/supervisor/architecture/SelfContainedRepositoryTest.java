package io.isofold.supervisor.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A newcomer who clones the repository finds every file it refers to in it: no source, script, POM or page
 * names the design notes that were kept beside the checkout while isofold was built, and every relative link
 * of a Markdown page leads to a file or folder that exists.
 */
@Tag("unit")
class SelfContainedRepositoryTest {
    /** The repository's root: the tests run in the supervisor module's folder. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Folders that are no part of the repository's text: git's, build output, runs, editors' and tools' own. */
    private static final Set<String> SKIPPED = Set.of(".git", "target", "runs", "node_modules");
    /**
     * Names of files outside the repository. Spelled in pieces, so that this file does not name them itself;
     * {@code ../shared/src/} is the shared module's sources, seen from a sibling module or from scripts/.
     */
    private static final Pattern OUTSIDE = Pattern.compile(String.join("|",
            Pattern.quote("DESIGN" + ".md"), Pattern.quote("TFJAVA" + "-NOTES"), Pattern.quote("SLURM" + "-NOTES"),
            Pattern.quote("/work" + "/shared"), "\\.\\./shared(?!/src/)"));
    /** A Markdown link or image: {@code [text](target)}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void noFileRefersToTheNotesOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : textFiles()) {
            List<String> lines = read(file).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = OUTSIDE.matcher(lines.get(i));
                if (m.find()) {
                    found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        assertThat(found).as("references to files outside the repository").isEmpty();
    }

    @Test
    void everyRelativeLinkOfAPageLeadsToAFileOfTheRepository() throws IOException {
        List<String> dangling = new ArrayList<>();
        for (Path page : textFiles()) {
            if (!page.getFileName().toString().endsWith(".md")) {
                continue;
            }
            Matcher m = LINK.matcher(read(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*") || target.startsWith("#")) {
                    continue; // a web address, or a heading of the same page
                }
                Path to = page.getParent().resolve(target.replaceFirst("#.*", "")).normalize();
                if (!to.startsWith(ROOT) || !Files.exists(to)) {
                    dangling.add(ROOT.relativize(page) + " links to " + target);
                }
            }
        }
        assertThat(dangling).as("links to files the repository does not have").isEmpty();
    }

    @Test
    void theScanSeesTheRepository() throws IOException {
        List<String> names = textFiles().stream().map(p -> ROOT.relativize(p).toString()).toList();
        assertThat(names).contains("README.md", "pom.xml", "scripts/run.sh",
                "supervisor/src/main/java/io/isofold/supervisor/cli/RunCommand.java");
    }

    /** Every text file of the repository: what git would track, binary files (data, pictures) left out. */
    private static List<Path> textFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean hidden = name.startsWith(".") && !name.equals(".ci") && !dir.equals(ROOT);
                return SKIPPED.contains(name) || hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && !file.getFileName().toString().equals(".git") && text(file)) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /** As UTF-8, a byte that is none shown as U+FFFD: a page in another encoding is still scanned. */
    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** A file without a NUL byte in its first 8 KiB reads as text, as git decides it. */
    private static boolean text(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
