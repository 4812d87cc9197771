package io.isofold.supervisor.schedule;

import io.isofold.shared.ModelConfig;
import io.isofold.shared.ReplicatePlan;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run's bookkeeping: which replicate is pending, running, completed or given up, which slot is
 * busy, what the attempt budget still allows, which GPUs are out of the run, and where each running
 * attempt is in its life. Pure: no I/O, no clock, no threads. The run loop tells it what happened
 * and asks it what to do; every rule of retries, budget, verdicts and quarantine lives here.
 *
 * <p>An attempt's life: {@code RUNNING}, then either {@code EXITED} (the worker ended by itself) or
 * {@code KILLING} (the supervisor ordered it killed), then ended. Whichever comes first decides the
 * verdict: a worker that has exited is judged by its exit and result, and a stop or watchdog that
 * arrives later changes nothing; a kill ordered first keeps its verdict. A kill is started at most
 * once per attempt.
 *
 * <p>Not thread-safe: the run loop's thread owns it.
 */
final class RunState {
    /** Failures in a row on one GPU, while the others do not fail, that take it out of the run. */
    static final int QUARANTINE_AFTER = 3;
    /** How many recent attempts per GPU the comparison with the other GPUs looks at. */
    private static final int RECENT = 5;

    /** One replicate of one model. */
    static final class Replicate {
        final int id;
        final ModelConfig model;
        final ReplicatePlan plan;
        int failures; // attempts that count against --max-attempts
        int lastAttempt;
        boolean completed;
        boolean running;
        String lastFailedGpu;

        Replicate(int id, ModelConfig model, ReplicatePlan plan) {
            this.id = id;
            this.model = model;
            this.plan = plan;
        }
    }

    enum Phase { RUNNING, KILLING, EXITED }

    /** A running attempt. */
    static final class Attempt {
        final AttemptId id;
        final Replicate replicate;
        final Slot slot;
        Phase phase = Phase.RUNNING;
        Verdict killVerdict;
        String killReason;

        Attempt(AttemptId id, Replicate replicate, Slot slot) {
            this.id = id;
            this.replicate = replicate;
            this.slot = slot;
        }
    }

    /** What to start next: this attempt of this replicate on this slot. */
    record Assignment(Replicate replicate, Slot slot, int attempt) {
        /** The same attempt on another slot. */
        Assignment on(Slot other) {
            return new Assignment(replicate, other, attempt);
        }

        AttemptId id() {
            return new AttemptId(replicate.id, replicate.model.name(), replicate.plan.index(), replicate.plan.fold(),
                    replicate.plan.shuffle(), attempt);
        }
    }

    /** What an ended attempt changed beyond its replicate. */
    record Consequences(boolean gaveUp, String quarantinedGpu, String quarantineReason) {}

    private final List<Replicate> replicates = new ArrayList<>();
    private final List<Slot> slots;
    private final int maxAttempts;
    private final int budget;
    private final Map<Integer, Attempt> bySlot = new LinkedHashMap<>();
    private final Map<String, String> quarantined = new LinkedHashMap<>();
    private final Map<String, Deque<Boolean>> recentFailuresByGpu = new HashMap<>();
    private final Map<String, Integer> streakByGpu = new HashMap<>();
    // the replicates expected to take longest start first, so a run does not end on one long attempt
    private final LongestFirst order = new LongestFirst();
    private int spent; // attempts that spent the budget
    private int completed;
    private int failedAttempts;
    private ExitStatus stopStatus;
    private String stopReason;

    RunState(List<ModelConfig> models, int replicatesPerModel, int folds, long seed, List<Slot> slots, int maxAttempts,
            int budget) {
        this.slots = List.copyOf(slots);
        this.maxAttempts = maxAttempts;
        this.budget = budget;
        for (int r = 0; r < replicatesPerModel; r++) {
            ReplicatePlan plan = ReplicatePlan.of(r, folds, seed);
            for (int m = 0; m < models.size(); m++) {
                // interleaved ids: paired results of all models arrive together as the run goes
                replicates.add(new Replicate(r * models.size() + m, models.get(m), plan));
            }
        }
    }

    /** The state of a run whose history so far is {@code history}: the attempts that ended, the GPUs taken out. */
    static RunState replayed(RunSpec spec, List<Slot> slots, RunHistory history) {
        RunState state = new RunState(spec.models(), spec.replicates(), spec.folds(), spec.seed(), slots,
                spec.maxAttempts(), spec.attemptBudget());
        for (AttemptRecord a : history.attempts()) {
            if (a.outcome() != null) {
                state.replay(a.id(), a.gpu(), a.verdict());
                if (a.completed() && a.outcome().durationS() != null) {
                    state.completedIn(a.id().model(), a.outcome().durationS());
                }
            }
        }
        history.quarantined().forEach(state::quarantine);
        return state;
    }

    /** An attempt an earlier supervisor ended (or a resume found ended). */
    void replay(AttemptId id, String gpu, Verdict verdict) {
        Replicate rep = replicates.get(id.replicate());
        rep.lastAttempt = Math.max(rep.lastAttempt, id.attempt());
        count(rep, gpu, verdict);
    }

    /** An attempt number already taken (its directory exists, though no journal line says so). */
    void reserveAttemptNumber(int replicate, int attempt) {
        Replicate rep = replicates.get(replicate);
        rep.lastAttempt = Math.max(rep.lastAttempt, attempt);
    }

    void quarantine(String gpu, String reason) {
        quarantined.putIfAbsent(gpu, reason);
    }

    boolean quarantined(String gpu) {
        return quarantined.containsKey(gpu);
    }

    /** The next attempt to start, or empty when no slot is free, nothing is left to run, or the run stops. */
    Optional<Assignment> next() {
        if (stopStatus != null || spent + bySlot.size() >= budget) {
            return Optional.empty();
        }
        return order.next(eligible(), r -> r.model.name())
                .flatMap(r -> freeSlotFor(r).map(s -> new Assignment(r, s, r.lastAttempt + 1)));
    }

    /**
     * Attempts still to start beyond those running, as far as the budget allows: how many standby
     * workers can be of use. Retries of attempts still running are not foreseen.
     */
    int waiting() {
        if (stopStatus != null) {
            return 0;
        }
        return Math.max(0, Math.min(eligible().size(), budget - spent - bySlot.size()));
    }

    /**
     * The replicate that would start next if a slot were free now, with the attempt number it would
     * get, on no slot yet ({@link Assignment#on}): what a launcher may prepare a worker for. The guess may
     * prove wrong (another slot frees first).
     */
    Optional<Assignment> upcoming() {
        if (stopStatus != null || spent + bySlot.size() >= budget) {
            return Optional.empty();
        }
        return order.next(eligible(), r -> r.model.name()).map(r -> new Assignment(r, null, r.lastAttempt + 1));
    }

    /** A completed attempt's duration, for the order replicates start in. */
    void completedIn(String model, double seconds) {
        order.completed(model, seconds);
    }

    /** The replicates that may start, in the plan's order. */
    private List<Replicate> eligible() {
        List<Replicate> eligible = new ArrayList<>();
        for (Replicate r : replicates) {
            if (eligible(r)) {
                eligible.add(r);
            }
        }
        return eligible;
    }

    private boolean eligible(Replicate r) {
        return !r.completed && !r.running && r.failures < maxAttempts;
    }

    /** A free slot of a GPU in the run, on another GPU than the replicate last failed on when one is free. */
    private Optional<Slot> freeSlotFor(Replicate r) {
        Slot fallback = null;
        for (Slot s : slots) {
            if (bySlot.containsKey(s.id()) || quarantined.containsKey(s.gpuLabel())) {
                continue;
            }
            if (!s.gpuLabel().equals(r.lastFailedGpu)) {
                return Optional.of(s);
            }
            if (fallback == null) {
                fallback = s;
            }
        }
        return Optional.ofNullable(fallback);
    }

    Attempt started(Assignment a) {
        a.replicate.lastAttempt = a.attempt;
        a.replicate.running = true;
        Attempt attempt = new Attempt(a.id(), a.replicate, a.slot);
        bySlot.put(a.slot.id(), attempt);
        return attempt;
    }

    /**
     * An attempt a dead supervisor launched that still runs (a cluster job), taken over on a free
     * slot; empty when none is free. Its replicate counts as running, so nothing launches it twice.
     */
    Optional<Attempt> adopt(AttemptId id) {
        Replicate rep = replicates.get(id.replicate());
        for (Slot s : slots) {
            if (!bySlot.containsKey(s.id())) {
                rep.lastAttempt = Math.max(rep.lastAttempt, id.attempt());
                rep.running = true;
                Attempt attempt = new Attempt(id, rep, s);
                bySlot.put(s.id(), attempt);
                return Optional.of(attempt);
            }
        }
        return Optional.empty();
    }

    /** The worker could not even be started: a failed attempt, on no slot. */
    Consequences couldNotStart(Assignment a) {
        a.replicate.lastAttempt = a.attempt;
        return count(a.replicate, a.slot.gpuLabel(), Verdict.FAILED);
    }

    /** A watchdog or a stop wants the attempt killed: true when its kill is to start now, false when it exited or is already being killed. */
    boolean killRequested(Attempt a, Verdict verdict, String reason) {
        if (a.phase != Phase.RUNNING) {
            return false;
        }
        a.phase = Phase.KILLING;
        a.killVerdict = verdict;
        a.killReason = reason;
        return true;
    }

    /** The worker ended. A kill ordered before keeps its verdict; none can be ordered after. */
    void exited(Attempt a) {
        if (a.phase == Phase.RUNNING) {
            a.phase = Phase.EXITED;
        }
    }

    /** The verdict that stands for an attempt whose worker ended as {@code judged}. */
    static Verdict standing(Attempt a, Verdict judged) {
        return a.killVerdict != null ? a.killVerdict : judged;
    }

    /** The attempt is over and its slot is free. */
    Consequences ended(Attempt a, Verdict verdict) {
        bySlot.remove(a.slot.id());
        a.replicate.running = false;
        return count(a.replicate, a.slot.gpuLabel(), verdict);
    }

    private Consequences count(Replicate rep, String gpu, Verdict verdict) {
        if (verdict.spendsBudget()) {
            spent++;
        }
        if (verdict == Verdict.COMPLETED) {
            if (!rep.completed) {
                completed++;
            }
            rep.completed = true;
        } else if (verdict.failure()) {
            failedAttempts++;
        }
        if (verdict.countsAgainstReplicate() && verdict != Verdict.COMPLETED) {
            rep.failures++;
            rep.lastFailedGpu = gpu;
        }
        boolean gaveUp = !rep.completed && verdict.countsAgainstReplicate() && verdict != Verdict.COMPLETED
                && rep.failures >= maxAttempts;
        String reason = observeGpu(gpu, verdict);
        return new Consequences(gaveUp, reason == null ? null : gpu, reason);
    }

    /**
     * A GPU that keeps failing while the others do not is taken out of the run: a GPU that fails
     * fast frees its slot at once and would otherwise take replicate after replicate until the budget
     * is gone. Only crashes and bad results count (a timeout or a bad task says nothing about the
     * GPU); the others must have failed at most once in their recent attempts, so a worker that is
     * broken everywhere quarantines nothing.
     */
    private String observeGpu(String gpu, Verdict verdict) {
        if (gpu == null || gpu.equals("cpu") || quarantined.containsKey(gpu)
                || verdict == Verdict.INTERRUPTED || verdict == Verdict.SUPERVISOR_LOST) {
            return null;
        }
        boolean failed = verdict == Verdict.FAILED;
        Deque<Boolean> recent = recentFailuresByGpu.computeIfAbsent(gpu, g -> new ArrayDeque<>());
        recent.addLast(failed);
        if (recent.size() > RECENT) {
            recent.removeFirst();
        }
        int streak = failed ? streakByGpu.getOrDefault(gpu, 0) + 1 : 0;
        streakByGpu.put(gpu, streak);
        if (streak < QUARANTINE_AFTER) {
            return null;
        }
        Set<String> others = new LinkedHashSet<>();
        for (Slot s : slots) {
            if (!s.cpu() && !s.gpuLabel().equals(gpu) && !quarantined.containsKey(s.gpuLabel())) {
                others.add(s.gpuLabel());
            }
        }
        if (others.isEmpty()) {
            return null; // never the last GPU: then the worker, not the GPU, is the likelier culprit
        }
        int otherFailures = 0;
        for (String o : others) {
            for (boolean f : recentFailuresByGpu.getOrDefault(o, new ArrayDeque<>())) {
                otherFailures += f ? 1 : 0;
            }
        }
        if (otherFailures > 1) {
            return null;
        }
        String reason = streak + " attempts in a row failed on GPU " + gpu + " while the other GPUs did not fail";
        quarantined.put(gpu, reason);
        return reason;
    }

    /**
     * Stops the run: nothing more is started. Returns the running attempts to kill now (those not
     * exited and not already being killed), each marked with the stop's verdict.
     */
    List<Attempt> stop(ExitStatus status, String reason, String killReason) {
        if (stopStatus == null) {
            stopStatus = status;
            stopReason = reason;
        }
        List<Attempt> toKill = new ArrayList<>();
        for (Attempt a : bySlot.values()) {
            if (killRequested(a, Verdict.INTERRUPTED, killReason)) {
                toKill.add(a);
            }
        }
        return toKill;
    }

    boolean stopping() {
        return stopStatus != null;
    }

    /** Nothing runs, and nothing more will start. */
    boolean finished() {
        return bySlot.isEmpty() && (stopping() || !anyLaunchable());
    }

    private boolean anyLaunchable() {
        if (spent >= budget || usableSlots() == 0) {
            return false;
        }
        return replicates.stream().anyMatch(this::eligible);
    }

    private long usableSlots() {
        return slots.stream().filter(s -> !quarantined.containsKey(s.gpuLabel())).count();
    }

    ExitStatus exitStatus() {
        if (stopStatus != null) {
            return stopStatus;
        }
        return completed == replicates.size() ? ExitStatus.COMPLETE : ExitStatus.INCOMPLETE;
    }

    /** Why the run ended short, in one line, or null when it did not. */
    String shortfall() {
        if (stopReason != null) {
            return stopReason;
        }
        if (completed == replicates.size()) {
            return null;
        }
        int left = replicates.size() - completed;
        if (usableSlots() == 0) {
            return "every GPU is quarantined (" + String.join("; ", quarantined.values()) + ")";
        }
        long givenUp = replicates.stream().filter(r -> !r.completed && r.failures >= maxAttempts).count();
        String gaveUp = count(givenUp, "replicate was", "replicates were") + " given up after "
                + count(maxAttempts, "failed attempt", "failed attempts") + " each (--max-attempts)";
        if (givenUp == left) {
            return gaveUp;
        }
        return "the attempt budget of " + count(budget, "attempt", "attempts") + " was spent (--attempt-budget)"
                + (givenUp > 0 ? "; " + gaveUp : "");
    }

    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    String stopReason() {
        return stopReason;
    }

    Map<String, String> quarantinedGpus() {
        return quarantined;
    }

    List<Attempt> running() {
        return List.copyOf(bySlot.values());
    }

    int required() {
        return replicates.size();
    }

    int completed() {
        return completed;
    }

    int failedAttempts() {
        return failedAttempts;
    }

    int spent() {
        return spent;
    }

    int budget() {
        return budget;
    }

    int slotCount() {
        return (int) usableSlots();
    }

    Replicate replicate(int id) {
        return replicates.get(id);
    }
}
