package io.isofold.supervisor.cli;

/** Words as a POSIX shell would need them quoted, for commands a user may copy from isofold's output. */
final class ShellWords {
    private ShellWords() {}

    static String quote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./{}-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
