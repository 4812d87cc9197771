package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.ExitStatus;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isofold} command: {@code run} (the default), {@code status}, {@code report}, {@code gpus}. */
@Command(name = "isofold", mixinStandardHelpOptions = true, version = "isofold 0.1.0",
        description = "Runs cross-validation folds (or any replicates) with one fresh worker process each, "
                + "pinned to a GPU, watched by timeouts, retried until N have completed.")
public final class IsofoldCommand implements Runnable {
    /** The subcommands, in the order the help lists them; added by {@link #subcommand}. */
    private static final List<String> SUBCOMMANDS = List.of("run", "resume", "status", "report", "gpus", "doctor", "help");
    private static final Set<String> FIRST_WORDS = Set.of("run", "resume", "status", "report", "gpus", "doctor", "help",
            "-h", "--help", "-V", "--version");

    @Override
    public void run() {
        // only reached with no arguments, which main turns into "run"
    }

    public static void main(String[] args) {
        try {
            System.exit(execute(args));
        } catch (OutOfMemoryError e) {
            // memory is bounded by design; should it run out all the same, say so in one line and leave a resumable run
            org.slf4j.LoggerFactory.getLogger(IsofoldCommand.class).error("the supervisor ran out of memory ({}); "
                    + "the run is resumable with scripts/run.sh resume DIR", e.getMessage());
            System.err.println("isofold: the supervisor ran out of memory (" + e.getMessage()
                    + "); the run is resumable with scripts/run.sh resume DIR");
            Runtime.getRuntime().halt(ExitStatus.INCOMPLETE.code());
        }
    }

    /** Runs a command line and returns its exit status; the whole CLI, minus the System.exit. */
    public static int execute(String... args) {
        if (System.console() != null) {
            // before any logger exists: LogConfigurator reads it when logback configures itself
            System.setProperty(LogConfigurator.LEVEL_PROPERTY, "WARN");
        }
        List<String> argv = new ArrayList<>(List.of(args));
        if (!argv.isEmpty() && !argv.get(0).startsWith("-") && !FIRST_WORDS.contains(argv.get(0))) {
            // a mistyped subcommand would otherwise run as a worker command
            System.err.println("isofold: unknown command '" + argv.get(0) + "' (commands: run, resume, status, report, gpus, doctor;"
                    + " a worker command goes after --)");
            return ExitStatus.BAD_INPUT.code();
        }
        if (argv.isEmpty() || !FIRST_WORDS.contains(argv.get(0))) {
            argv.add(0, "run"); // run is the default subcommand
        }
        CommandLine cli = new CommandLine(new IsofoldCommand());
        // picocli builds a command's model by reflection when the command is added, a good part of the
        // start: a command line that begins with a subcommand gets that one only; help, --help and --version
        // get them all. Before the handlers are set: they reach only the subcommands there at the time.
        String first = argv.get(0);
        boolean all = first.equals("help") || !SUBCOMMANDS.contains(first);
        for (String name : SUBCOMMANDS) {
            if (all || name.equals(first)) {
                cli.addSubcommand(subcommand(name));
            }
        }
        cli.setParameterExceptionHandler(IsofoldCommand::badUsage);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // a bug, not bad input: keep the trace, it is what a bug report needs
            line.getErr().println("isofold: internal error: " + e);
            e.printStackTrace(line.getErr());
            return ExitStatus.INTERNAL_ERROR.code();
        });
        return cli.execute(argv.toArray(String[]::new));
    }

    private static Object subcommand(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "resume" -> new ResumeCommand();
            case "status" -> new StatusCommand();
            case "report" -> new ReportCommand();
            case "gpus" -> new GpusCommand();
            case "doctor" -> new DoctorCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String command = e.getCommandLine().getCommandName();
        err.println("isofold: " + e.getMessage() + " (see 'isofold " + (command.equals("isofold") ? "" : command + " ")
                + "--help')" + forgottenDashes(List.of(args)).map(w -> "; if '" + w + "' starts the worker command, "
                        + "put -- before it: scripts/run.sh [OPTIONS] -- " + w + " ...").orElse(""));
        return ExitStatus.BAD_INPUT.code();
    }

    /**
     * The word that looks like the start of a worker command typed without -- before it (an option's
     * error is then only a symptom: the worker's own --out or --fold was read as isofold's): a program on
     * PATH, a script, an executable file. Empty when -- is there or nothing looks like one.
     */
    static Optional<String> forgottenDashes(List<String> args) {
        if (args.contains("--")) {
            return Optional.empty();
        }
        for (String a : args) {
            if (a.startsWith("-") || FIRST_WORDS.contains(a) || a.isBlank()) {
                continue;
            }
            if (a.matches(".*\\.(py|sh|R|r|jl|pl|rb|lua|js)") || isProgram(a)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static boolean isProgram(String word) {
        if (word.contains("/")) {
            Path p = Path.of(word);
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, word);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
