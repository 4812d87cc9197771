package io.isofold.supervisor.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ConsoleTest {

    /** An output nobody reads: every write blocks forever, as a full pipe does. */
    private static final class Blocked extends OutputStream {
        final CountDownLatch never = new CountDownLatch(1);

        @Override
        public void write(int b) {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Item 2: the run loop's console writes never block, whatever the reader does. */
    @Test
    void aConsoleNobodyReadsNeverBlocksTheCaller() {
        PrintStream blocked = new PrintStream(new Blocked(), true);
        Console console = new Console(blocked, blocked);
        // a write that blocked would block forever: any limit tells, so one a loaded machine never reaches
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 100_000; i++) {
                console.line("line " + i);
                console.status("status " + i);
            }
            console.close(Duration.ofMillis(200));
        });
    }

    @Test
    void linesArriveInOrderAndTheStatusLineEndsTheOutput() {
        var bytes = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true);
        Console console = new Console(out, out);
        console.line("first");
        console.line("second");
        console.close(Duration.ofSeconds(5));
        assertThat(bytes.toString()).isEqualTo("first\nsecond\n");
    }

    @Test
    void afterDetachNothingIsWritten() {
        var bytes = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true);
        Console console = new Console(out, out);
        console.detach();
        console.line("after the terminal went away");
        console.close(Duration.ofSeconds(1));
        assertThat(bytes.toString()).isEmpty();
    }
}
