package io.isofold.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a main class of this module in a fresh JVM, as the supervisor starts the worker. */
public final class ChildJvm {
    private ChildJvm() {}

    public static List<String> command(Class<?> main, String... args) {
        return command(List.of(), main, args);
    }

    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the child with stdout and stderr going to files in {@code dir}, as the supervisor does. */
    public static Process start(Path dir, Map<String, String> env, Class<?> main, String... args) throws IOException {
        return start(dir, env, List.of(), main, args);
    }

    /** {@link #start(Path, Map, Class, String...)} with options for the child's JVM. */
    public static Process start(Path dir, Map<String, String> env, List<String> jvmOptions, Class<?> main,
                                String... args) throws IOException {
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, main, args))
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
