package io.beckon.engine.core;

import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.Trigger;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;

/**
 * What a rule change does to one user's pending triggers. A new version applies to every fire after
 * it arrives; where only the trigger's timing changed, pending fires are re-armed from their arming
 * time with the new parameters (a cart armed at 10:00 under a 2 h delay fires at 11:00 once the
 * delay becomes 1 h). Disabling or deleting a rule, or changing its trigger kind, cancels its
 * pending fires and forgets its reentry and geofence history and its open conversion windows.
 */
public final class RuleChanges {
  private RuleChanges() {}

  /**
   * Applies the change {@code before -> after} (either may be null: added or deleted) to a user's
   * trigger state and returns the new state, or null when nothing is left.
   */
  public static TriggerState apply(TriggerState state, Rule before, Rule after) {
    if (state == null) {
      return null;
    }
    String id = before != null ? before.id() : after.id();
    boolean gone = after == null || !after.enabled();
    boolean kindChanged =
        before != null && after != null && !before.trigger().kind().equals(after.trigger().kind());
    if (gone || kindChanged) {
      forget(state, id);
    } else if (before != null) {
      reschedule(state, after);
    }
    return isEmpty(state) ? null : state;
  }

  private static void forget(TriggerState state, String id) {
    state.setPending(new ArrayList<>(state.getPending()));
    state.getPending().removeIf(f -> f.getRuleId().equals(id));
    state.getLastFire().remove(id);
    state.getFenceInside().keySet().removeIf(k -> k.startsWith(id + "/"));
    state.getFenceLastFire().keySet().removeIf(k -> k.startsWith(id + "/"));
    state.getDateFired().remove(id);
    // Its conversion definition is gone with it. Its sends stay in the cap history: they were sent.
    state.setConversions(new ArrayList<>(state.getConversions()));
    state.getConversions().removeIf(c -> c.getRuleId().equals(id));
  }

  private static void reschedule(TriggerState state, Rule rule) {
    ArrayList<PendingFire> pending = new ArrayList<>();
    for (PendingFire fire : state.getPending()) {
      if (!fire.getRuleId().equals(rule.id())) {
        pending.add(fire);
        continue;
      }
      if (rule.trigger() instanceof Trigger.GeofenceEntered g
          && g.fence(fire.getFenceId()) == null) {
        continue; // its fence was removed from the rule
      }
      if (rule.trigger() instanceof Trigger.OnDate) {
        continue; // re-armed from the profile by UserEngine.armDate with the new parameters
      }
      fire.setDueTime(fire.getArmedAt() + delayOf(rule.trigger()));
      pending.add(fire);
    }
    state.setPending(pending);
    if (rule.trigger() instanceof Trigger.GeofenceEntered g) {
      state
          .getFenceInside()
          .keySet()
          .removeIf(k -> k.startsWith(rule.id() + "/") && g.fence(fenceOf(k)) == null);
    }
  }

  /** The time from arming to firing, per trigger kind. */
  static long delayOf(Trigger trigger) {
    if (trigger instanceof Trigger.CartAbandoned c) {
      return c.delay();
    }
    if (trigger instanceof Trigger.Inactivity i) {
      return i.after();
    }
    if (trigger instanceof Trigger.GeofenceEntered g) {
      return g.dwell();
    }
    return ((Trigger.OnEvent) trigger).delay();
  }

  private static String fenceOf(String key) {
    return key.substring(key.indexOf('/') + 1);
  }

  static boolean isEmpty(TriggerState state) {
    return state.getPending().isEmpty()
        && state.getLastFire().isEmpty()
        && state.getFenceInside().isEmpty()
        && state.getFenceLastFire().isEmpty()
        && state.getCapHistory().isEmpty()
        && state.getDateFired().isEmpty()
        && state.getConversions().isEmpty()
        && state.getJourneys().isEmpty();
  }
}
