package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The test worker script (src/test/resources/testworker.sh), installed as an executable file, and
 * the worker command lines the tests give the supervisor after {@code --}.
 */
final class TestWorker {
    private static Path installed;

    private TestWorker() {}

    /**
     * The script, copied next to the test classes and made executable: resource copying does not keep
     * the executable bit, and the supervisor runs a worker command directly, never through a shell.
     */
    static synchronized Path script() {
        if (installed == null) {
            try (InputStream in = Objects.requireNonNull(TestWorker.class.getResourceAsStream("/testworker.sh"),
                    "testworker.sh is not on the test classpath")) {
                Path dir = Files.createDirectories(Path.of("target", "e2e-bin").toAbsolutePath());
                Path script = dir.resolve("testworker.sh");
                Path tmp = Files.createTempFile(dir, "testworker", ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                installed = script;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return installed;
    }

    /** {@code -- testworker.sh MODE [ARGS...]}, to append to the supervisor's options. */
    static List<String> command(String mode, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("--");
        argv.add(script().toString());
        argv.add(mode);
        argv.addAll(List.of(args));
        return argv;
    }
}
