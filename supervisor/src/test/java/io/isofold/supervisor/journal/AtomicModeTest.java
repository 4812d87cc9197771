package io.isofold.supervisor.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class AtomicModeTest {
    @TempDir
    Path dir;

    /** Item 14: results.csv, summary.json, report.html and run.json were 0600, unreadable to colleagues. */
    @Test
    void atomicallyWrittenFilesGetTheUmasksModeLikeTheJournal() throws Exception {
        Path results = dir.resolve("results.csv");
        AtomicFiles.writeString(results, "a,b\n");
        Path journal = dir.resolve("journal.jsonl");
        try (Journal j = Journal.open(journal)) {
            j.append(new JournalEvent.RunEnd("2026-01-01T00:00:00Z", 0, null));
        }
        assertThat(Files.getPosixFilePermissions(results)).isEqualTo(Files.getPosixFilePermissions(journal))
                .contains(PosixFilePermission.OTHERS_READ);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("results.csv", "journal.jsonl");
        }
    }
}
