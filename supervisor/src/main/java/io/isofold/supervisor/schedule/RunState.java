package io.isofold.supervisor.schedule;

import io.isofold.shared.ModelConfig;
import io.isofold.shared.ReplicatePlan;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.outcome.FailureSignature;
import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.supervisor.spec.RunSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run's bookkeeping: which replicate is pending, running, completed, given up or eliminated by the
 * race, which slot is busy, what the attempt budget still allows, which GPUs are out of the run, and where
 * each running attempt is in its life. Pure: no I/O, no clock, no threads. The run loop tells it what
 * happened and asks it what to do; every rule of retries, budget, verdicts and quarantine lives here (the
 * evidence against a GPU in {@link GpuQuarantine}).
 *
 * <p>An attempt's life: {@code RUNNING}, then either {@code EXITED} (the worker ended by itself) or
 * {@code KILLING} (the supervisor ordered it killed), then ended. Whichever comes first decides the
 * verdict: a worker that has exited is judged by its exit and result, and a stop or watchdog that
 * arrives later changes nothing; a kill ordered first keeps its verdict. A kill is started at most
 * once per attempt.
 *
 * <p>Where a retry runs: never on a GPU its replicate already failed on while another GPU in the run is
 * one it has not failed on (the slot rather takes other work, or waits); only once it has failed on every
 * GPU may it go anywhere.
 *
 * <p>Failures that repeat are not retried: a replicate whose last {@code retryIdentical} attempts failed
 * the same way ({@link FailureSignature}) is given up, and when the first attempts of several replicates
 * all fail the same way before any completed, the run stops, quoting the failure once.
 *
 * <p>Not thread-safe: the run loop's thread owns it.
 */
final class RunState {
    /** First attempts of this many replicates failing the same way stop the run. */
    static final int SAME_FIRST_FAILURES = 3;

    /** One replicate of one model. */
    static final class Replicate {
        final int id;
        final ModelConfig model;
        final ReplicatePlan plan;
        int failures; // attempts that count against --max-attempts
        int lastAttempt;
        boolean completed;
        boolean running;
        boolean eliminated;
        /** Why it was given up before --max-attempts, or null. */
        String givenUp;
        final Set<String> failedOn = new LinkedHashSet<>();
        String lastSignature;
        int sameInARow;

        Replicate(int id, ModelConfig model, ReplicatePlan plan) {
            this.id = id;
            this.model = model;
            this.plan = plan;
        }

        boolean done(int maxAttempts) {
            return completed || eliminated || givenUp != null || failures >= maxAttempts;
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

    /**
     * What an ended attempt changed beyond its replicate.
     *
     * @param gaveUpWhy why its replicate was given up (null when it was not, or ran out of --max-attempts)
     * @param stop      why the run must stop (its first attempts all failed the same way), or null
     */
    record Consequences(boolean gaveUp, String gaveUpWhy, String quarantinedGpu, String quarantineReason,
            String stop) {}

    private final List<Replicate> replicates = new ArrayList<>();
    private final List<Slot> slots;
    private final int maxAttempts;
    private final int budget;
    private final int retryIdentical;
    /** Racing: every variant's fold f starts before any variant's fold f + 1. */
    private final boolean foldMajor;
    private final Map<Integer, Attempt> bySlot = new LinkedHashMap<>();
    private final Map<String, String> quarantined = new LinkedHashMap<>();
    private final GpuQuarantine gpuEvidence = new GpuQuarantine();
    // the replicates expected to take longest start first, so a run does not end on one long attempt
    private final LongestFirst order = new LongestFirst();
    private int spent; // attempts that spent the budget
    private int completed;
    private int failedAttempts;
    private ExitStatus stopStatus;
    private String stopReason;
    /** How the first attempts that ended went: their shared signature, until one differs or completes. */
    private String firstSignature;
    private int firstSame;
    private final Set<String> firstSameOn = new LinkedHashSet<>();
    private boolean firstDiffered;

    RunState(List<ModelConfig> models, int replicatesPerModel, int folds, long seed, List<Slot> slots, int maxAttempts,
            int budget) {
        this(models, replicatesPerModel, folds, seed, slots, maxAttempts, budget, 0, false);
    }

    /**
     * @param retryIdentical failures in a row of one signature that give a replicate up; 0: only --max-attempts
     * @param foldMajor      whether fold f of every variant starts before any fold f + 1 (a race)
     */
    RunState(List<ModelConfig> models, int replicatesPerModel, int folds, long seed, List<Slot> slots, int maxAttempts,
            int budget, int retryIdentical, boolean foldMajor) {
        this.slots = List.copyOf(slots);
        this.maxAttempts = maxAttempts;
        this.budget = budget;
        this.retryIdentical = retryIdentical;
        this.foldMajor = foldMajor;
        for (int r = 0; r < replicatesPerModel; r++) {
            ReplicatePlan plan = ReplicatePlan.of(r, folds, seed);
            for (int m = 0; m < models.size(); m++) {
                // interleaved ids: paired results of all models arrive together as the run goes
                replicates.add(new Replicate(r * models.size() + m, models.get(m), plan));
            }
        }
    }

    /**
     * The state of a run whose history so far is {@code history}: the attempts that ended, the GPUs taken out,
     * and, when it races, the variants the race eliminated. A resume that gave a new worker command starts its
     * replicates' retries and the budget afresh: the old command's failures were the old command's.
     */
    static RunState replayed(RunSpec spec, List<Slot> slots, RunHistory history) {
        boolean racing = spec.options().race() != null;
        RunState state = new RunState(spec.models(), spec.replicates(), spec.folds(), spec.seed(), slots,
                spec.maxAttempts(), spec.attemptBudget(), spec.limits().retryIdentical(), racing);
        int earlierCommand = history.attemptsOfEarlierCommands();
        int index = 0;
        for (AttemptRecord a : history.attempts()) {
            boolean earlier = index++ < earlierCommand;
            if (a.outcome() != null && (!earlier || a.completed())) {
                state.replay(a.id(), a.gpu(), a.verdict(), FailureSignature.of(a.outcome()));
                if (a.completed() && a.outcome().durationS() != null) {
                    state.completedIn(a.id().model(), a.outcome().durationS());
                }
            } else if (a.outcome() != null) {
                // the failures of an earlier worker command count against neither its replicate nor the budget
                state.reserveAttemptNumber(a.id().replicate(), a.id().attempt());
            }
        }
        history.quarantined().forEach(state::quarantine);
        if (racing) {
            for (JournalEvent.Eliminated e : history.eliminated()) {
                state.eliminate(e.model());
            }
        }
        return state;
    }

    /** An attempt an earlier supervisor ended (or a resume found ended). */
    void replay(AttemptId id, String gpu, Verdict verdict, FailureSignature signature) {
        Replicate rep = replicates.get(id.replicate());
        rep.lastAttempt = Math.max(rep.lastAttempt, id.attempt());
        count(rep, id.attempt(), gpu, verdict, signature);
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

    /** A health reading: the sick GPUs of the run not out yet are quarantined; returns those, with why. */
    Map<String, String> quarantineSick(Map<String, String> sick) {
        Map<String, String> now = new LinkedHashMap<>();
        sick.forEach((gpu, reason) -> {
            if (!quarantined.containsKey(gpu) && slots.stream().anyMatch(s -> s.gpuLabel().equals(gpu))) {
                quarantined.put(gpu, reason);
                now.put(gpu, reason);
            }
        });
        return now;
    }

    /**
     * The race dropped {@code model}: none of its replicates starts again. Returns its attempts still
     * running, for the loop to end.
     */
    List<Attempt> eliminate(String model) {
        for (Replicate r : replicates) {
            if (r.model.name().equals(model)) {
                r.eliminated = true;
            }
        }
        return bySlot.values().stream().filter(a -> a.replicate.model.name().equals(model)).toList();
    }

    /** The next attempt to start, or empty when no slot is free, nothing is left to run, or the run stops. */
    Optional<Assignment> next() {
        if (stopStatus != null || spent + bySlot.size() >= budget) {
            return Optional.empty();
        }
        List<Replicate> placeable = new ArrayList<>();
        for (Replicate r : candidates()) {
            if (freeSlotFor(r).isPresent()) {
                placeable.add(r);
            }
        }
        return order.next(placeable, r -> r.model.name())
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
        return order.next(candidates(), r -> r.model.name()).map(r -> new Assignment(r, null, r.lastAttempt + 1));
    }

    /** A completed attempt's duration, for the order replicates start in. */
    void completedIn(String model, double seconds) {
        order.completed(model, seconds);
    }

    /** The replicates that may start next: all that may start, or in a race those of the lowest fold left. */
    private List<Replicate> candidates() {
        List<Replicate> eligible = eligible();
        if (!foldMajor || eligible.isEmpty()) {
            return eligible;
        }
        int lowest = eligible.stream().mapToInt(r -> r.plan.index()).min().orElseThrow();
        return eligible.stream().filter(r -> r.plan.index() == lowest).toList();
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
        return !r.running && !r.done(maxAttempts);
    }

    /**
     * A free slot for the replicate: on a GPU it has not failed on; on any, once it has failed on every GPU
     * in the run. Empty when the only free slots are on GPUs it failed on while another GPU is still one it
     * has not: that slot takes other work, or waits.
     */
    private Optional<Slot> freeSlotFor(Replicate r) {
        boolean untriedGpuLeft = slots.stream().anyMatch(s -> !quarantined.containsKey(s.gpuLabel())
                && !r.failedOn.contains(s.gpuLabel()));
        for (Slot s : slots) {
            if (bySlot.containsKey(s.id()) || quarantined.containsKey(s.gpuLabel())) {
                continue;
            }
            if (!untriedGpuLeft || !r.failedOn.contains(s.gpuLabel())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
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
    Consequences couldNotStart(Assignment a, Outcome failed) {
        a.replicate.lastAttempt = a.attempt;
        return count(a.replicate, a.attempt, a.slot.gpuLabel(), Verdict.FAILED, FailureSignature.of(failed));
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

    /** The attempt is over and its slot is free. */
    Consequences ended(Attempt a, Verdict verdict) {
        return ended(a, verdict, null);
    }

    /** The attempt is over as {@code outcome} says: a completion's duration orders what starts next. */
    Consequences ended(Attempt a, Outcome outcome) {
        if (outcome.completed() && outcome.durationS() != null) {
            completedIn(a.id.model(), outcome.durationS());
        }
        return ended(a, outcome.verdict(), FailureSignature.of(outcome));
    }

    /** @param signature how it failed, when it failed ({@link FailureSignature#of}); null otherwise */
    Consequences ended(Attempt a, Verdict verdict, FailureSignature signature) {
        bySlot.remove(a.slot.id());
        a.replicate.running = false;
        return count(a.replicate, a.id.attempt(), a.slot.gpuLabel(), verdict, signature);
    }

    private Consequences count(Replicate rep, int attempt, String gpu, Verdict verdict, FailureSignature signature) {
        if (verdict.spendsBudget()) {
            spent++;
        }
        boolean wasDone = rep.done(maxAttempts);
        Set<String> failedBefore = Set.copyOf(rep.failedOn);
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
            rep.failedOn.add(gpu);
        }
        String gaveUpWhy = identical(rep, verdict, signature);
        String stop = firstAttempts(attempt, gpu, verdict, signature);
        boolean gaveUp = !wasDone && !rep.completed && !rep.eliminated && rep.done(maxAttempts);
        GpuQuarantine.Verdict q = observeGpu(rep, gpu, verdict, failedBefore);
        return new Consequences(gaveUp, gaveUp ? gaveUpWhy : null, q == null ? null : q.gpu(),
                q == null ? null : q.reason(), stop);
    }

    /** Gives the replicate up once its last {@code retryIdentical} attempts failed the same way; says why. */
    private String identical(Replicate rep, Verdict verdict, FailureSignature signature) {
        if (!verdict.countsAgainstReplicate() || verdict == Verdict.COMPLETED) {
            return null;
        }
        if (signature == null) {
            rep.lastSignature = null;
            rep.sameInARow = 0;
            return null;
        }
        rep.sameInARow = signature.key().equals(rep.lastSignature) ? rep.sameInARow + 1 : 1;
        rep.lastSignature = signature.key();
        if (retryIdentical > 0 && rep.sameInARow >= retryIdentical && rep.givenUp == null) {
            rep.givenUp = rep.sameInARow + " attempts failed the same way (" + signature.quote() + ")";
            return rep.givenUp;
        }
        return null;
    }

    /**
     * Why the run stops: the first attempts of several replicates failed the same way, none completed, and on
     * more than one GPU where the run has several (on one alone, the GPU is as much a suspect as the worker).
     */
    private String firstAttempts(int attempt, String gpu, Verdict verdict, FailureSignature signature) {
        if (retryIdentical == 0 || firstDiffered || attempt != 1 || !verdict.countsAgainstReplicate()) {
            return null;
        }
        if (signature == null || firstSignature != null && !firstSignature.equals(signature.key())) {
            firstDiffered = true; // a completion, or another failure: the worker can work
            return null;
        }
        firstSignature = signature.key();
        firstSame++;
        firstSameOn.add(gpu);
        long gpus = slots.stream().map(Slot::gpuLabel).distinct().count();
        // several replicates: one's failure (or two's, which may be chance) is their own, however it repeats
        if (firstSame < SAME_FIRST_FAILURES || completed > 0
                || gpus > 1 && firstSameOn.size() < 2) {
            return null;
        }
        firstDiffered = true; // said once
        return "the first attempts of " + firstSame + " replicates all failed the same way: " + signature.quote()
                + (signature.hint() == null ? "" : " (" + signature.hint() + ")");
    }

    private GpuQuarantine.Verdict observeGpu(Replicate rep, String gpu, Verdict verdict, Set<String> failedBefore) {
        // only crashes and bad results say something of a GPU; a limit, a stop or a bad task does not
        boolean failed = verdict == Verdict.FAILED;
        if (gpu == null || gpu.equals("cpu") || quarantined.containsKey(gpu) || !failed && verdict != Verdict.COMPLETED) {
            return null;
        }
        List<String> usable = slots.stream().filter(s -> !s.cpu()).map(Slot::gpuLabel).distinct()
                .filter(g -> !quarantined.containsKey(g)).toList();
        GpuQuarantine.Verdict q = gpuEvidence.observe(gpu, rep.id, failed, failedBefore, usable).orElse(null);
        if (q != null) {
            quarantined.put(q.gpu(), q.reason());
        }
        return q;
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
        return completed >= required() ? ExitStatus.COMPLETE : ExitStatus.INCOMPLETE;
    }

    /** Why the run ended short, in one line, or null when it did not. */
    String shortfall() {
        if (stopReason != null) {
            return stopReason;
        }
        if (completed >= required()) {
            return null;
        }
        int left = required() - completed;
        if (usableSlots() == 0) {
            return "every GPU is quarantined (" + String.join("; ", quarantined.values()) + ")";
        }
        List<Replicate> gaveUp = replicates.stream().filter(r -> !r.completed && !r.eliminated && r.done(maxAttempts))
                .toList();
        List<String> why = new ArrayList<>();
        long identical = gaveUp.stream().filter(r -> r.givenUp != null).count();
        long exhausted = gaveUp.size() - identical;
        if (exhausted > 0) {
            why.add(count(exhausted, "replicate was", "replicates were") + " given up after "
                    + count(maxAttempts, "failed attempt", "failed attempts") + " each (--max-attempts)");
        }
        if (identical > 0) {
            String first = gaveUp.stream().filter(r -> r.givenUp != null).findFirst().orElseThrow().givenUp;
            why.add(count(identical, "replicate was", "replicates were") + " given up because its attempts "
                    + "failed the same way (--retry-identical); the first: " + first);
        }
        if (gaveUp.size() == left) {
            return String.join("; ", why);
        }
        return "the attempt budget of " + count(budget, "attempt", "attempts") + " was spent (--attempt-budget)"
                + (why.isEmpty() ? "" : "; " + String.join("; ", why));
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

    /** Completed replicates the run needs: every replicate, but those of a variant the race eliminated that did not complete. */
    int required() {
        int required = 0;
        for (Replicate r : replicates) {
            if (r.completed || !r.eliminated) {
                required++;
            }
        }
        return required;
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
