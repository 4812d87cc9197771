package io.isofold.supervisor.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.journal.JournalEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A raced run's race as the reports see it: its settings (run.json's {@code race}) and the journal's
 * eliminations, in the order they were decided (a variant's first, should a journal hold two).
 */
public record RaceView(int burnIn, double alpha, List<JournalEvent.Eliminated> eliminated) {

    public RaceView {
        Map<String, JournalEvent.Eliminated> first = new LinkedHashMap<>();
        for (JournalEvent.Eliminated e : eliminated == null ? List.<JournalEvent.Eliminated>of() : eliminated) {
            if (e.model() != null) {
                first.putIfAbsent(e.model(), e);
            }
        }
        eliminated = List.copyOf(first.values());
    }

    /**
     * The race of a run from its run.json ({@code "race": {"burn_in": 3, "alpha": 0.05}}) and its journal's
     * eliminations; null when run.json has no race (absent or null: the run does not race, or a resume turned
     * racing off).
     */
    public static RaceView of(JsonNode runJson, List<JournalEvent.Eliminated> eliminated) {
        JsonNode race = runJson == null ? null : runJson.get("race");
        if (race == null || !race.isObject()) {
            return null;
        }
        return new RaceView(race.path("burn_in").asInt(3), race.path("alpha").asDouble(0.05), eliminated);
    }

    /** The elimination of a variant, or null when it was not eliminated. */
    public JournalEvent.Eliminated eliminationOf(String variant) {
        for (JournalEvent.Eliminated e : eliminated) {
            if (e.model().equals(variant)) {
                return e;
            }
        }
        return null;
    }
}
