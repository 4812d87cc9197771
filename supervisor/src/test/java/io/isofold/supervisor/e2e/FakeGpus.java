package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory holding a fake {@code nvidia-smi} that lists {@code count} GPUs, for the child
 * supervisor's PATH: the tests must not depend on the GPUs (or their absence) of the machine.
 */
final class FakeGpus {
    private final Path bin;

    private FakeGpus(Path bin) {
        this.bin = bin;
    }

    /** Answers the one query GpuDetector makes, as nvidia-smi prints it: "0, Fake GPU, GPU-fake-0, 81559". */
    static FakeGpus create(Path parent, int count) {
        try {
            Path bin = Files.createDirectories(parent.resolve("fake-gpus-" + count));
            Path smi = bin.resolve("nvidia-smi");
            StringBuilder script = new StringBuilder("#!/bin/sh\n");
            script.append("case \"$*\" in\n");
            script.append("  *--query-gpu=index,name,uuid,memory.total*)\n");
            for (int i = 0; i < count; i++) {
                script.append("    echo '").append(i).append(", Fake GPU, GPU-fake-").append(i).append(", 81559'\n");
            }
            script.append("    ;;\n");
            script.append("  *) echo \"fake nvidia-smi: unexpected arguments: $*\" >&2; exit 9 ;;\n");
            script.append("esac\n");
            Files.writeString(smi, script);
            Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new FakeGpus(bin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PATH with the fake first, then the test JVM's own PATH (for java, setsid, bash). */
    String path() {
        String inherited = System.getenv("PATH");
        return bin + (inherited == null || inherited.isEmpty() ? "" : ":" + inherited);
    }
}
