package io.isofold.supervisor.journal;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A journal replayed: every attempt in launch order with how it ended, the GPUs quarantined, and
 * the supervisors that held the run. Built in one streaming pass ({@link #read}) or event by event
 * ({@link #apply}), so {@code status}, {@code report} and a resume all see the same history, and a
 * journal of a hundred thousand attempts costs a few hundred bytes per attempt.
 *
 * <p>Not thread-safe.
 */
public final class RunHistory {
    private final Map<Long, AttemptRecord> attempts = new LinkedHashMap<>();
    private final Map<Long, JournalEvent.Kill> pendingKills = new HashMap<>();
    private final Map<String, String> quarantined = new LinkedHashMap<>();
    private final List<JournalEvent.Eliminated> eliminated = new ArrayList<>();
    /** The directions the workers declared, metric to min/max: the first declaration of each metric. */
    private final Map<String, String> directions = new LinkedHashMap<>();
    // model, slot and GPU names repeat in every line: one copy each, not one per attempt
    private final Interner<String> names = Interners.newStrongInterner();
    private JournalEvent.RunStart lastRunStart;
    /** How many attempts were launched before the worker command last changed (a resume with a new one). */
    private int beforeCommand;
    private JournalEvent.RunEnd lastRunEnd;
    private Instant firstStart;
    private Instant lastEvent;

    /** The history of an output directory's journal, and the warnings about lines it skipped. */
    public record Read(RunHistory history, List<String> warnings) {}

    public static Read read(Path journal) throws IOException {
        RunHistory h = new RunHistory();
        List<String> warnings = JournalReader.read(journal, h::apply);
        return new Read(h, warnings);
    }

    public static RunHistory empty() {
        return new RunHistory();
    }

    public void apply(JournalEvent e) {
        Instant at = parseTime(e.time());
        if (at != null && (lastEvent == null || at.isAfter(lastEvent))) {
            lastEvent = at;
        }
        if (e instanceof JournalEvent.RunStart s) {
            if (lastRunStart != null && lastRunStart.spec() != null && s.spec() != null
                    && !lastRunStart.spec().path("command").equals(s.spec().path("command"))) {
                beforeCommand = attempts.size();
            }
            lastRunStart = s;
            lastRunEnd = null;
            if (firstStart == null) {
                firstStart = at;
            }
        } else if (e instanceof JournalEvent.Launch l) {
            attempts.put(key(l.replicate(), l.attempt()), new AttemptRecord(
                    new AttemptId(l.replicate(), names.intern(l.model()), l.index(), l.fold(), l.shuffle(), l.attempt()),
                    intern(l.slot()), intern(l.gpu()), l.identity(), at, null, parseTime(l.standbySince())));
        } else if (e instanceof JournalEvent.Submitted s) {
            long key = key(s.replicate(), s.attempt());
            AttemptRecord launched = attempts.get(key);
            if (launched != null && launched.running() && launched.launch() != null && s.jobId() != null) {
                attempts.put(key, new AttemptRecord(launched.id(), launched.slot(), launched.gpu(),
                        launched.launch().withJob(s.jobId()), launched.started(), null, launched.standbySince()));
            }
        } else if (e instanceof JournalEvent.Began b) {
            long key = key(b.replicate(), b.attempt());
            AttemptRecord launched = attempts.get(key);
            if (launched != null && launched.running() && launched.launch() != null && b.node() != null) {
                attempts.put(key, new AttemptRecord(launched.id(), launched.slot(), launched.gpu(),
                        launched.launch().onNode(intern(b.node())), launched.started(), null, launched.standbySince()));
            }
        } else if (e instanceof JournalEvent.Kill k) {
            pendingKills.put(key(k.replicate(), k.attempt()), k);
        } else if (e instanceof JournalEvent.End end) {
            long key = key(end.replicate(), end.attempt());
            pendingKills.remove(key);
            AttemptRecord launched = attempts.get(key);
            if (launched != null) {
                attempts.put(key, launched.ended(new Outcome(at, end.verdict(), end.reason(), end.exitCode(),
                        end.metrics(), end.durationS(), end.stderrTail(), end.continuedFrom(), end.directions())));
            }
            declare(end.directions());
        } else if (e instanceof JournalEvent.Quarantine q) {
            quarantined.put(names.intern(q.gpu()), q.reason());
        } else if (e instanceof JournalEvent.QuarantineLifted l) {
            quarantined.remove(l.gpu());
        } else if (e instanceof JournalEvent.Eliminated x) {
            eliminated.add(x);
        } else if (e instanceof JournalEvent.RunEnd r) {
            lastRunEnd = r;
        }
        // JournalEvent.Other: a newer supervisor's event, ignored
    }

    /** Records an attempt the run loop ended, as {@link #apply} would from its End line. */
    public void record(AttemptRecord a) {
        attempts.put(key(a.id().replicate(), a.id().attempt()), a);
        pendingKills.remove(key(a.id().replicate(), a.id().attempt()));
        if (a.outcome() != null) {
            declare(a.outcome().directions());
        }
    }

    private void declare(Map<String, String> declared) {
        if (declared != null) {
            declared.forEach((metric, word) -> directions.putIfAbsent(intern(metric), intern(word)));
        }
    }

    /**
     * Of the directions an attempt's result declared, those no attempt of the run declared before: what its
     * journal line needs to hold, so that the journal carries each metric's declaration once.
     */
    public Map<String, String> undeclared(Map<String, String> declared) {
        if (declared == null || declared.isEmpty()) {
            return Map.of();
        }
        Map<String, String> fresh = new LinkedHashMap<>();
        declared.forEach((metric, word) -> {
            if (!directions.containsKey(metric)) {
                fresh.put(metric, word);
            }
        });
        return fresh.isEmpty() ? Map.of() : fresh;
    }

    /** Which way the workers said their metrics are better, metric to {@code min}/{@code max}: each one's first word. */
    public Map<String, String> declaredDirections() {
        return java.util.Collections.unmodifiableMap(directions);
    }

    private String intern(String s) {
        return s == null ? null : names.intern(s);
    }

    private static long key(int replicate, int attempt) {
        return ((long) replicate << 32) | (attempt & 0xFFFFFFFFL);
    }

    private static Instant parseTime(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every attempt, in launch order. A view: it changes as events are applied. */
    public Collection<AttemptRecord> attempts() {
        return java.util.Collections.unmodifiableCollection(attempts.values());
    }

    /** Attempts launched with no recorded end: running now, or left behind by a supervisor that died. */
    public List<AttemptRecord> unfinished() {
        List<AttemptRecord> open = new ArrayList<>();
        for (AttemptRecord a : attempts.values()) {
            if (a.running()) {
                open.add(a);
            }
        }
        return open;
    }

    /** The kill the supervisor ordered for an attempt that has no end yet (timeout, stall, memory, a stop). */
    public Optional<JournalEvent.Kill> killOf(AttemptId id) {
        return Optional.ofNullable(pendingKills.get(key(id.replicate(), id.attempt())));
    }

    /**
     * How many of {@link #attempts} (the first ones) ran another worker command than the run's latest: a
     * resume gave a new one. Their failures say nothing of the new command.
     */
    public int attemptsOfEarlierCommands() {
        return beforeCommand;
    }

    /** GPUs taken out of the run, with the reason, in the order it happened. */
    public Map<String, String> quarantined() {
        return java.util.Collections.unmodifiableMap(quarantined);
    }

    /** The race's eliminations (--race), in journal order: the decisions a resume keeps, never makes again. */
    public List<JournalEvent.Eliminated> eliminated() {
        return java.util.Collections.unmodifiableList(eliminated);
    }

    /** The latest supervisor's start, or null for a journal without one. */
    public JournalEvent.RunStart lastRunStart() {
        return lastRunStart;
    }

    /** The end of the latest supervisor's run, or null if it is running or died. */
    public JournalEvent.RunEnd lastRunEnd() {
        return lastRunEnd;
    }

    public Instant firstStart() {
        return firstStart;
    }

    /** The time of the latest event: when a supervisor that died was last heard of. */
    public Instant lastEvent() {
        return lastEvent;
    }
}
