package io.isofold.supervisor.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code --gpus} asks for: every GPU there is ({@code all}), none ({@code none}: CPU slots), or the
 * GPUs of these nvidia-smi indices. Whether they exist is for the slots to check, against what nvidia-smi
 * lists; this is only what was typed, read once.
 *
 * @param indices the indices asked for, in the order given; empty for {@code all} and {@code none}
 */
public record GpuRequest(Kind kind, List<Integer> indices) {
    public enum Kind { ALL, NONE, INDICES }

    public static final GpuRequest ALL = new GpuRequest(Kind.ALL, List.of());
    public static final GpuRequest NONE = new GpuRequest(Kind.NONE, List.of());

    public GpuRequest {
        indices = List.copyOf(indices);
    }

    /** {@code all}, {@code none} or indices like {@code 0,2,3}; anything else is refused in one line. */
    public static GpuRequest parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("--gpus is empty; give all, none, or indices like 0,2,3");
        }
        if (t.equals("all")) {
            return ALL;
        }
        if (t.equals("none")) {
            return NONE;
        }
        Set<Integer> indices = new LinkedHashSet<>();
        for (String part : t.split(",", -1)) {
            if (!part.trim().matches("\\d{1,4}")) {
                throw new IllegalArgumentException("--gpus '" + text + "': expected all, none, or GPU indices like 0,2,3");
            }
            int index = Integer.parseInt(part.trim());
            if (!indices.add(index)) {
                throw new IllegalArgumentException("--gpus '" + text + "': GPU " + index + " is listed twice");
            }
        }
        return new GpuRequest(Kind.INDICES, new ArrayList<>(indices));
    }

    public boolean all() {
        return kind == Kind.ALL;
    }

    public boolean none() {
        return kind == Kind.NONE;
    }

    /** As typed, canonically: {@code all}, {@code none}, {@code 0,2,3}. What run.json records. */
    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "all";
            case NONE -> "none";
            case INDICES -> String.join(",", indices.stream().map(String::valueOf).toList());
        };
    }
}
