package io.isofold.supervisor.journal;

import io.isofold.shared.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The append-only journal: every event one JSON line, written and forced to disk before
 * {@link #append} returns, so a supervisor killed at any moment leaves at most a torn last line.
 * One writer: the run loop's thread.
 */
public final class Journal implements AutoCloseable {
    private final FileChannel channel;

    private Journal(FileChannel channel) {
        this.channel = channel;
    }

    public static Journal open(Path file) throws IOException {
        boolean torn = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                reader.read(last, reader.size() - 1);
                torn = last.get(0) != '\n';
            }
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (torn) {
            // a line cut short by a crash: end it, so the next event starts on a line of its own
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
        }
        return new Journal(channel);
    }

    public void append(JournalEvent event) throws IOException {
        byte[] line = (Json.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
