package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.Await;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The supervisor on a real terminal (a pseudo-terminal through util-linux {@code script}), 80
 * columns wide, 8 slots, stopped with Ctrl-C typed at the terminal. Issue 8 item 15: a stop was
 * invisible and ended with "finished"; issue 10 item 6: the live line wrapped and filled the screen.
 */
@Tag("e2e")
class TerminalTest extends EndToEndTest {

    @Test
    void theLiveLineFitsTheTerminalAndAStopSaysHowToGoOn() throws Exception {
        RunDir run = newRun("terminal");
        Path screen = tmp.resolve("screen.txt");
        StringBuilder command = new StringBuilder();
        // workers that run until the Ctrl-C ends them (60 s at most): all 8 are running when it comes
        for (String arg : supervisorArgv(args(run, List.of("--workers-per-gpu", "2", "--folds", "8", "--kill-grace",
                "1s"), TestWorker.command("ok", "60")))) {
            command.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", command.toString(), "/dev/null")
                .redirectOutput(screen.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", gpus.path());
        pb.environment().put("COLUMNS", "80");
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        Process terminal = pb.start();
        Await.until("'8/8 running' on the screen", () -> {
            try {
                return Files.readString(screen).contains("8/8 running");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream keyboard = terminal.getOutputStream()) {
            keyboard.write(3); // Ctrl-C
            keyboard.flush();
            assertThat(terminal.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String text = Files.readString(screen).replace("\u001b[K", "");
        assertThat(terminal.exitValue()).as(text).isEqualTo(130);
        List<String> pieces = Arrays.stream(text.split("[\r\n]+")).filter(p -> !p.isBlank()).toList();
        assertThat(pieces.stream().filter(p -> p.contains(" done | "))).as(text).isNotEmpty()
                .allSatisfy(status -> assertThat(status.length()).isLessThan(80));
        assertThat(text).contains("stopping; ending 8 running attempts").contains("to go on: ")
                .contains("resume " + run.dir()).doesNotContain("was interrupted");
    }

    /** Issue 21 item 11: on a terminal, a bad task's stderr with escape sequences cleared it and set its title. */
    @Test
    void aWorkersEscapeSequencesReachTheTerminalAsText() throws Exception {
        RunDir run = newRun("terminal-hostile");
        Path screen = tmp.resolve("screen.txt");
        StringBuilder command = new StringBuilder();
        for (String arg : supervisorArgv(args(run, List.of("--gpus", "none", "--replicates", "1", "--folds", "2"),
                TestWorker.command("hostile-stderr")))) {
            command.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", command.toString(), "/dev/null")
                .redirectOutput(screen.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", gpus.path());
        pb.environment().put("COLUMNS", "80");
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        Process terminal = pb.start();
        terminal.getOutputStream().close();
        assertThat(terminal.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the live line's own redraw (carriage return, erase to the end of the line) is the one escape allowed
        String text = Files.readString(screen).replace("\r\u001b[K", "").replace("\r\n", "\n");
        assertThat(terminal.exitValue()).as(text).isEqualTo(2);
        assertThat(text).contains("\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007");
        HostileTextTest.assertNoControls("the terminal", text);
    }

    /** The child supervisor's java command line, as SupervisorProcess builds it. */
    private List<String> supervisorArgv(List<String> args) {
        List<String> argv = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.isofold.supervisor.cli.IsofoldCommand"));
        argv.addAll(args);
        return argv;
    }
}
