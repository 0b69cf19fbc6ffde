package io.beckon.engine.core;

import io.beckon.engine.event.EventValidator;
import io.beckon.engine.json.Json;
import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.PoliciesParser;
import io.beckon.engine.rules.RuleSet;
import io.beckon.schema.Conversion;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one user's engine through a scenario without Flink, the way the job does: all events at an
 * instant are applied in event-id order, then the fires due at that instant; at the end time runs
 * to infinity. Events are given as JSON lines.
 */
final class Scenario {
  final UserTimeline timeline;
  final InMemoryUserStore store;
  final Recorder out = new Recorder();
  final List<SendCommand> sent = out.sent;
  final List<Suppression> suppressed = out.suppressed;
  final List<Conversion> converted = out.converted;
  final List<JourneyEvent> journeyEvents = out.journeyEvents;

  /** Keeps everything the engine decides, in order. */
  static final class Recorder implements FireListener {
    final List<SendCommand> sent = new ArrayList<>();
    final List<Suppression> suppressed = new ArrayList<>();
    final List<Conversion> converted = new ArrayList<>();
    final List<JourneyEvent> journeyEvents = new ArrayList<>();

    @Override
    public void sent(SendCommand command) {
      sent.add(command);
    }

    @Override
    public void suppressed(Suppression suppression) {
      suppressed.add(suppression);
    }

    @Override
    public void converted(Conversion conversion) {
      converted.add(conversion);
    }

    @Override
    public void journey(JourneyEvent event) {
      journeyEvents.add(event);
    }
  }

  Scenario(String... ruleYamls) {
    this(Policies.NONE, ruleYamls);
  }

  private Scenario(Policies policies, String... ruleYamls) {
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < ruleYamls.length; i++) {
      files.put("rule" + i + ".yaml", ruleYamls[i]);
    }
    timeline = new UserTimeline(new UserEngine(RuleSet.parse(files), policies), "u-1");
    store = timeline.store();
  }

  /** A scenario under a {@code policies.yaml}. */
  static Scenario withPolicies(String policiesYaml, String... ruleYamls) {
    return new Scenario(PoliciesParser.parse(policiesYaml), ruleYamls);
  }

  /** Queues an event: {@code at("2026-01-05T10:00:00Z", "cart_item_added", "{...}")}. */
  Scenario event(String id, String time, String type, String propertiesJson) {
    String line =
        "{\"event_id\":\""
            + id
            + "\",\"user_id\":\"u-1\",\"type\":\""
            + type
            + "\",\"time\":\""
            + time
            + "\",\"properties\":"
            + (propertiesJson == null ? "{}" : propertiesJson)
            + "}";
    try {
      EventValidator.Result r = EventValidator.validate(Json.parse(line));
      if (!r.ok()) {
        throw new IllegalArgumentException(r.error());
      }
      timeline.add(r.event());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    return this;
  }

  Scenario event(String id, String time, String type) {
    return event(id, time, type, null);
  }

  /** Runs every instant (event or due fire) up to and including {@code until}. */
  Scenario runUntil(String until) {
    return runUntil(Instant.parse(until).toEpochMilli());
  }

  Scenario runToEnd() {
    return runUntil(Long.MAX_VALUE);
  }

  private Scenario runUntil(long until) {
    timeline.runUntil(until, out);
    return this;
  }

  List<String> sentRules() {
    return sent.stream().map(c -> c.getRuleId() + "@" + c.getFireTime()).toList();
  }

  /** Conversions as {@code rule/variant@fire_time->conversion_time}. */
  List<String> conversions() {
    return converted.stream()
        .map(
            c ->
                c.getRuleId()
                    + "/"
                    + c.getVariant()
                    + "@"
                    + c.getFireTime()
                    + "->"
                    + c.getConversionTime())
        .toList();
  }

  List<String> suppressions() {
    return suppressed.stream()
        .map(s -> s.getRuleId() + "@" + s.getFireTime() + ":" + s.getReason())
        .toList();
  }

  /**
   * Journey events as {@code time type [step] [reason] [instance]}, e.g. {@code
   * 2026-01-05T10:00:00Z exited wait reason=exit_on #2026-01-05T09:00:00.000Z#0}.
   */
  List<String> journeyEvents() {
    return journeyEvents.stream()
        .map(
            e ->
                e.getTime()
                    + " "
                    + e.getType()
                    + (e.getStep() == null ? "" : " " + e.getStep())
                    + (e.getReason() == null ? "" : " reason=" + e.getReason())
                    + (e.getInstance() == null ? "" : " #" + e.getInstance()))
        .toList();
  }
}
