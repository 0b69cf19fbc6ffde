package io.beckon.engine.core;

import io.beckon.engine.event.UserEvent;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleSet;
import io.beckon.schema.Conversion;
import io.beckon.schema.state.PendingConversion;
import io.beckon.schema.state.TriggerState;
import java.time.Instant;
import java.util.Iterator;

/**
 * Conversion windows (contract section 5): a sent or holdout fire of a rule with a {@code
 * conversion} opens one; the first matching event later than the fire and at most {@code within}
 * after it converts it (at most once per fire); the window leaves state when it converts or closes.
 */
final class Conversions {
  private Conversions() {}

  /**
   * Opens the window of a fire, when its rule measures conversions; at most {@link
   * Limits#OPEN_CONVERSIONS_PER_RULE} per rule.
   */
  static void open(Rule rule, String sendId, String variant, long fireTime, TriggerState state) {
    if (rule.conversion() == null) {
      return;
    }
    long open =
        state.getConversions().stream().filter(c -> c.getRuleId().equals(rule.id())).count();
    if (open >= Limits.OPEN_CONVERSIONS_PER_RULE) {
      // Bounded: the oldest window of the rule (they are kept in fire order) closes unconverted.
      for (Iterator<PendingConversion> it = state.getConversions().iterator(); it.hasNext(); ) {
        if (it.next().getRuleId().equals(rule.id())) {
          it.remove();
          break;
        }
      }
    }
    state
        .getConversions()
        .add(
            PendingConversion.newBuilder()
                .setSendId(sendId)
                .setRuleId(rule.id())
                .setVariant(variant)
                .setFireTime(fireTime)
                .setUntil(fireTime + rule.conversion().within())
                .build());
  }

  /**
   * Converts every open window the on-time event {@code e} matches, under the rules in force (a
   * rule that was deleted or no longer measures conversions converts nothing); returns whether any
   * window closed.
   */
  static boolean match(
      UserEvent e, String userId, RuleSet rules, TriggerState state, FireListener out) {
    boolean changed = false;
    for (Iterator<PendingConversion> it = state.getConversions().iterator(); it.hasNext(); ) {
      PendingConversion open = it.next();
      Rule rule = rules.get(open.getRuleId());
      if (rule == null
          || rule.conversion() == null
          || !rule.conversion().event().equals(e.type())
          || e.time() <= open.getFireTime()
          || e.time() > open.getUntil()
          || (rule.conversion().where() != null && !rule.conversion().where().test(e::property))) {
        continue;
      }
      Object total = e.properties().get("total");
      out.converted(
          Conversion.newBuilder()
              .setSendId(open.getSendId())
              .setRuleId(open.getRuleId())
              .setVariant(open.getVariant())
              .setUserId(userId)
              .setFireTime(Instant.ofEpochMilli(open.getFireTime()))
              .setConversionTime(Instant.ofEpochMilli(e.time()))
              .setTotal(total instanceof Number n ? n.doubleValue() : null)
              .build());
      it.remove();
      changed = true;
    }
    return changed;
  }

  /** Closes the windows that ended at or before {@code now} (the events at now came first). */
  static void closeThrough(long now, TriggerState state) {
    state.getConversions().removeIf(c -> c.getUntil() <= now);
  }

  /** The earliest window end, or null. */
  static Long nextClose(TriggerState state) {
    Long next = null;
    for (PendingConversion c : state.getConversions()) {
      next = next == null ? c.getUntil() : Math.min(next, c.getUntil());
    }
    return next;
  }
}
