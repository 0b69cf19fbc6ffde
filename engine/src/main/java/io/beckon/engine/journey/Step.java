package io.beckon.engine.journey;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.rules.Rule;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * One step of a {@link Journey} (contract section 7). A target ({@code then}, {@code goto}, {@code
 * else}) is the id of a later step or {@link #END}; a null {@code then} or {@code otherwise} means
 * the next step in the list. Durations are in milliseconds.
 */
public sealed interface Step {
  /** The target that ends the instance as {@code completed}. */
  String END = "end";

  String id();

  /** Every target the step may go to when it completes, null standing for the next step. */
  List<String> targets();

  /** Sends {@code message}; {@code audience} may be null (everyone who entered). */
  record Send(String id, Rule.Message message, Condition audience, long expireAfter, String then)
      implements Step {
    @Override
    public List<String> targets() {
      return Collections.singletonList(then);
    }
  }

  /** Completes exactly {@code duration} after it was reached (0s allowed, at most 365d). */
  record Wait(String id, long duration, String then) implements Step {
    @Override
    public List<String> targets() {
      return Collections.singletonList(then);
    }
  }

  /** Completes at the first {@code localTime} on an allowed local date, in the user's zone. */
  record WaitUntil(String id, LocalTime localTime, Set<DayOfWeek> days, String then)
      implements Step {
    @Override
    public List<String> targets() {
      return Collections.singletonList(then);
    }
  }

  /** Completes when an event of an arm is applied (its goto), or after {@code timeoutAfter}. */
  record WaitFor(String id, List<Arm> arms, long timeoutAfter, String timeoutGoto) implements Step {
    @Override
    public List<String> targets() {
      List<String> out = new ArrayList<>();
      arms.forEach(arm -> out.add(arm.goTo()));
      out.add(timeoutGoto);
      return List.copyOf(out);
    }
  }

  /** An arm of a {@link WaitFor}: an event type, conditions on its properties (or null). */
  record Arm(String event, Condition where, String goTo) {}

  /** Goes to the first route whose {@code when} holds on the profile, else {@code otherwise}. */
  record Branch(String id, List<Route> routes, String otherwise) implements Step {
    @Override
    public List<String> targets() {
      List<String> out = new ArrayList<>();
      routes.forEach(route -> out.add(route.goTo()));
      out.add(otherwise);
      return out; // may hold null (the next step)
    }
  }

  /** A route of a {@link Branch}. */
  record Route(Condition when, String goTo) {}
}
