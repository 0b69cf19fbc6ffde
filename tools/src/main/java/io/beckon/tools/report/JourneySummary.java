package io.beckon.tools.report;

import io.beckon.engine.journey.Journey;
import io.beckon.engine.journey.Step;
import io.beckon.engine.json.Json;
import io.beckon.schema.JourneyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tally of journey events (contract section 7): per journey, entries and failed entry attempts,
 * exits by reason, and per send step what was sent, suppressed or held. The demo keeps one over the
 * {@code journey-events} topic, {@code beckon report --journeys} over a replay's file. Not
 * thread-safe: the demo's output watcher guards it.
 */
public final class JourneySummary {
  /** Exit reasons in the contract's order; each is shown, zero or not. */
  static final List<String> EXIT_REASONS = List.of("completed", "exit_on", "restarted", "version");

  private final Map<String, Tally> byJourney = new TreeMap<>();

  private static final class Tally {
    long entered;
    final Map<String, Long> entrySuppressed = new TreeMap<>();
    final Map<String, Long> exited = new TreeMap<>();
    final Map<String, Long> sent = new TreeMap<>();
    final Map<String, Long> held = new TreeMap<>();
    final Map<String, Map<String, Long>> suppressed = new TreeMap<>();
  }

  public void add(JourneyEvent e) {
    add(e.getJourneyId(), e.getType(), e.getStep(), e.getReason());
  }

  /** Adds a journey event in its JSON view, one line of {@code beckon replay --journeys}. */
  public void addJson(String line) {
    Map<String, Object> e = Json.parseObject(line);
    if (!(e.get("journey_id") instanceof String journey)
        || !(e.get("type") instanceof String type)) {
      throw new IllegalArgumentException("not a journey event: " + line);
    }
    add(
        journey,
        type,
        e.get("step") instanceof String step ? step : null,
        e.get("reason") instanceof String reason ? reason : null);
  }

  private void add(String journeyId, String type, String stepOrNull, String reasonOrNull) {
    Tally t = byJourney.computeIfAbsent(journeyId, id -> new Tally());
    String step = stepOrNull == null ? "?" : stepOrNull;
    String reason = reasonOrNull == null ? "?" : reasonOrNull;
    switch (type) {
      case "entered" -> t.entered++;
      case "entry_suppressed" -> t.entrySuppressed.merge(reason, 1L, Long::sum);
      case "exited" -> t.exited.merge(reason, 1L, Long::sum);
      case "sent" -> t.sent.merge(step, 1L, Long::sum);
      case "held" -> t.held.merge(step, 1L, Long::sum);
      case "suppressed" ->
          t.suppressed.computeIfAbsent(step, s -> new TreeMap<>()).merge(reason, 1L, Long::sum);
      default -> {}
    }
  }

  /** Entries admitted to a journey so far. */
  public long entered(String journeyId) {
    Tally t = byJourney.get(journeyId);
    return t == null ? 0 : t.entered;
  }

  /**
   * The summary's lines: every journey of {@code journeys} (and any other that wrote events), its
   * send steps in the order of the file, every exit reason.
   */
  public List<String> lines(List<Journey> journeys) {
    Map<String, List<String>> sendSteps = new TreeMap<>();
    for (Journey j : journeys) {
      List<String> steps = new ArrayList<>();
      for (Step s : j.steps()) {
        if (s instanceof Step.Send) {
          steps.add(s.id());
        }
      }
      sendSteps.put(j.id(), steps);
    }
    byJourney.keySet().forEach(id -> sendSteps.putIfAbsent(id, List.of()));
    List<String> out = new ArrayList<>();
    sendSteps.forEach(
        (id, steps) -> {
          Tally t = byJourney.getOrDefault(id, new Tally());
          out.add("  " + id);
          out.add(row("entered", t.entered, ""));
          t.entrySuppressed.forEach(
              (reason, n) -> out.add(row("entry suppressed: " + reason, n, "")));
          for (String reason : EXIT_REASONS) {
            out.add(row("exited: " + reason, t.exited.getOrDefault(reason, 0L), ""));
          }
          t.exited.keySet().stream()
              .filter(r -> !EXIT_REASONS.contains(r))
              .forEach(r -> out.add(row("exited: " + r, t.exited.get(r), "")));
          long exits = t.exited.values().stream().mapToLong(Long::longValue).sum();
          out.add(row("still in the journey", t.entered - exits, ""));
          List<String> all = new ArrayList<>(steps);
          for (Map<String, ?> seen : List.of(t.sent, t.held, t.suppressed)) {
            seen.keySet().stream().filter(s -> !all.contains(s)).forEach(all::add);
          }
          for (String step : all) {
            StringBuilder notes = new StringBuilder();
            long held = t.held.getOrDefault(step, 0L);
            if (held > 0) {
              notes.append(String.format(Locale.ROOT, "held by quiet hours %,d", held));
            }
            t.suppressed
                .getOrDefault(step, Map.of())
                .forEach(
                    (reason, n) ->
                        notes
                            .append(notes.length() > 0 ? ", " : "")
                            .append(String.format(Locale.ROOT, "suppressed %s %,d", reason, n)));
            out.add(row("sent at " + step, t.sent.getOrDefault(step, 0L), notes.toString()));
          }
        });
    return out;
  }

  private static String row(String what, long n, String note) {
    String line = String.format(Locale.ROOT, "    %-30s %,8d", what, n);
    return note.isEmpty() ? line : line + "   (" + note + ")";
  }
}
