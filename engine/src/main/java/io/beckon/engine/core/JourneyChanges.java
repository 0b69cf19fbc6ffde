package io.beckon.engine.core;

import io.beckon.engine.journey.Journey;
import io.beckon.schema.state.JourneyInstance;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.List;

/**
 * What a new version of a journey does to one user's running instance (contract section 7, live
 * only): it continues in the new version at the step with the same id, keeping its due time or its
 * match; where the new version has no such step, or the journey was disabled or deleted, it exits
 * with reason {@code version}. Entry attempts pending under the old version are the entry trigger's
 * business ({@link RuleChanges}).
 */
public final class JourneyChanges {
  private JourneyChanges() {}

  /**
   * Applies the change {@code before -> after} ({@code after} null: deleted) at {@code now} to a
   * user's instances of the journey, writing an {@code exited} event for each instance that ends,
   * and returns the new state, or null when nothing is left.
   */
  public static TriggerState apply(
      TriggerState state,
      Journey before,
      Journey after,
      String userId,
      long now,
      FireListener out) {
    if (state == null) {
      return null;
    }
    boolean gone = after == null || !after.enabled();
    List<JourneyInstance> kept = new ArrayList<>(state.getJourneys().size());
    for (JourneyInstance instance : state.getJourneys()) {
      if (!instance.getJourneyId().equals(before.id())) {
        kept.add(instance);
      } else if (gone || after.step(instance.getStep()) == null) {
        out.journey(
            JourneyRunner.exited(
                userId, before, instance, now, JourneyRunner.VERSION, instance.getStep()));
      } else {
        kept.add(instance); // same step id: same due time, same match, same wake-up order
      }
    }
    state.setJourneys(kept);
    return RuleChanges.isEmpty(state) ? null : state;
  }
}
