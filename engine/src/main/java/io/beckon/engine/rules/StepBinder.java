package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.journey.Step;
import io.beckon.engine.time.Durations;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Binds one step of a journey (contract section 7): its id, exactly one step kind with every
 * parameter inside it, and {@code then} (beside send, wait, wait_until) or {@code else} (beside
 * branch). Targets are resolved by the journey's {@link StepGraph}.
 */
final class StepBinder {
  static final List<String> KINDS = List.of("send", "wait", "wait_until", "wait_for", "branch");
  private static final Set<String> WITH_THEN = Set.of("send", "wait", "wait_until");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  private static final long MAX_WAIT = 365 * Durations.DAY;
  private static final long MAX_TIMEOUT = 90 * Durations.DAY;
  private static final long DEFAULT_EXPIRY = Durations.DAY;

  private final Fields fields;
  private final ConditionBinder conditions;
  private final MessageBinder messages;
  private final StepGraph graph;
  private final int index;

  StepBinder(
      Fields fields,
      ConditionBinder conditions,
      TemplateBinder templates,
      StepGraph graph,
      int index) {
    this.fields = fields;
    this.conditions = conditions;
    this.messages = new MessageBinder(fields, conditions, templates);
    this.graph = graph;
    this.index = index;
  }

  Step bind(YamlNode node) {
    if (!fields.mapping(node)) {
      graph.next(index);
      return null;
    }
    String id = fields.required(node, "id", this::id);
    String kind = kind(node);
    if (kind == null) {
      graph.next(index);
      return null;
    }
    String then = beside(node, "then", WITH_THEN.contains(kind));
    String otherwise = beside(node, "else", kind.equals("branch"));
    YamlNode body = node.get(kind);
    Step step =
        switch (kind) {
          case "send" -> send(id, body, then);
          case "wait" -> wait(id, body, then);
          case "wait_until" -> waitUntil(id, body, then);
          case "wait_for" -> waitFor(id, body);
          default -> branch(id, body, otherwise);
        };
    return fields.failed() ? null : step;
  }

  private String id(YamlNode node) {
    String id = fields.matching(node, StepGraph.STEP_ID, "1 to 64 characters: a-z, 0-9 and '-'");
    if (Step.END.equals(id)) {
      fields.problems().invalid(node, "'end' is the end of every journey, not a step id");
      return null;
    }
    return id;
  }

  /** The one step kind of a step; null (reported) when it has none or several. */
  private String kind(YamlNode node) {
    List<String> kinds = KINDS.stream().filter(k -> node.get(k) != null).toList();
    Set<String> allowed = RuleParser.with(Set.copyOf(KINDS), "id", "then", "else");
    boolean unknown = !allowed.containsAll(node.entries().keySet());
    fields.onlyKeys(node, allowed);
    if (kinds.size() > 1) {
      fields
          .problems()
          .invalidKey(
              node,
              kinds.get(1),
              "a step has exactly one kind: '" + kinds.get(0) + "' and '" + kinds.get(1) + "'");
      return null;
    }
    if (kinds.isEmpty() && !unknown) {
      fields.problems().invalid(node, "a step needs one of " + KINDS);
    }
    return kinds.isEmpty() ? null : kinds.get(0);
  }

  /** {@code then} or {@code else} beside the step kind, where {@code allowed}. */
  private String beside(YamlNode node, String key, boolean allowed) {
    YamlNode target = node.get(key);
    if (target == null) {
      if (allowed) {
        graph.next(index);
      }
      return null;
    }
    if (!allowed) {
      fields
          .problems()
          .invalidKey(
              node,
              key,
              key.equals("then")
                  ? "'then' goes beside send, wait and wait_until only (give a goto inside the step)"
                  : "'else' goes beside branch only");
      return null;
    }
    return graph.target(target, index);
  }

  private Step send(String id, YamlNode node, String then) {
    Rule.Message message = messages.bind(node, Set.of("audience", "expire_after"));
    if (!node.isMap()) {
      return null;
    }
    Condition audience = Fields.optional(node, "audience", conditions::audience, null);
    Long expireAfter = Fields.optional(node, "expire_after", fields::duration, DEFAULT_EXPIRY);
    return fields.failed() ? null : new Step.Send(id, message, audience, expireAfter, then);
  }

  private Step wait(String id, YamlNode node, String then) {
    Long millis = fields.duration(node);
    if (millis != null && millis > MAX_WAIT) {
      fields.problems().invalid(node, "a wait is at most 365d");
      return null;
    }
    return millis == null ? null : new Step.Wait(id, millis, then);
  }

  private Step waitUntil(String id, YamlNode node, String then) {
    if (!fields.mapping(node, Set.of("local_time", "days"))) {
      return null;
    }
    LocalTime localTime = fields.required(node, "local_time", fields::timeOfDay);
    Set<DayOfWeek> days = Fields.optional(node, "days", this::days, EnumSet.allOf(DayOfWeek.class));
    return fields.failed() ? null : new Step.WaitUntil(id, localTime, Set.copyOf(days), then);
  }

  private Set<DayOfWeek> days(YamlNode node) {
    List<YamlNode> elements = fields.nonEmptyList(node, "day");
    if (elements == null) {
      return null;
    }
    fields.unique(elements);
    List<String> names = Fields.each(elements, d -> fields.oneOf(d, DAYS));
    if (names == null) {
      return null;
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    names.forEach(name -> days.add(DayOfWeek.of(DAYS.indexOf(name) + 1)));
    return days;
  }

  private Step waitFor(String id, YamlNode node) {
    if (!fields.mapping(node, Set.of("events", "timeout"))) {
      return null;
    }
    List<Step.Arm> arms =
        fields.required(
            node, "events", e -> Fields.each(fields.nonEmptyList(e, "event"), this::arm));
    YamlNode timeout = fields.required(node, "timeout");
    if (timeout == null || !fields.mapping(timeout, Set.of("after", "goto"))) {
      return null;
    }
    Long after = fields.required(timeout, "after", this::timeoutAfter);
    String goTo = fields.required(timeout, "goto", t -> graph.target(t, index));
    return fields.failed() ? null : new Step.WaitFor(id, arms, after, goTo);
  }

  private Step.Arm arm(YamlNode node) {
    if (!fields.mapping(node, Set.of("event", "where", "goto"))) {
      return null;
    }
    String event = fields.required(node, "event", fields::name);
    Condition where = Fields.optional(node, "where", conditions::bind, null);
    String goTo = fields.required(node, "goto", t -> graph.target(t, index));
    return fields.failed() ? null : new Step.Arm(event, where, goTo);
  }

  private Long timeoutAfter(YamlNode node) {
    Long millis = fields.duration(node);
    if (millis != null && (millis < Durations.SECOND || millis > MAX_TIMEOUT)) {
      fields.problems().invalid(node, "a wait_for timeout is from 1s to 90d");
      return null;
    }
    return millis;
  }

  private Step branch(String id, YamlNode node, String otherwise) {
    List<Step.Route> routes = Fields.each(fields.nonEmptyList(node, "route"), this::route);
    return fields.failed() ? null : new Step.Branch(id, routes, otherwise);
  }

  private Step.Route route(YamlNode node) {
    if (!fields.mapping(node, Set.of("when", "goto"))) {
      return null;
    }
    Condition when = fields.required(node, "when", conditions::audience);
    String goTo = fields.required(node, "goto", t -> graph.target(t, index));
    return fields.failed() ? null : new Step.Route(when, goTo);
  }
}
