package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.template.Template;
import java.util.Comparator;
import java.util.List;

/**
 * One marketer's rule, parsed and validated. {@code audience}, {@code experiment} and {@code
 * conversion} may be null (everyone; no experiment; conversions not measured).
 */
public record Rule(
    String id,
    int version,
    boolean enabled,
    int priority,
    Trigger trigger,
    Condition audience,
    List<ExitOn> exitOn,
    Reentry reentry,
    long expireAfter,
    Message message,
    Overrides policies,
    Experiment experiment,
    Conversion conversion) {

  /** The order in which fires due at one instant are taken: priority (higher first), then id. */
  public static final Comparator<Rule> FIRE_ORDER =
      Comparator.comparingInt(Rule::priority).reversed().thenComparing(Rule::id);

  /** Whether an event cancels this rule's pending fires. */
  public boolean exitsOn(UserEvent e) {
    for (ExitOn exit : exitOn) {
      if (exit.event().equals(e.type())
          && (exit.where() == null || exit.where().test(e::property))) {
        return true;
      }
    }
    return false;
  }

  /** An {@code exit_on} entry: an event type, and optionally conditions on its properties. */
  public record ExitOn(String event, Condition where) {}

  /** {@code policies:} a transactional rule may ignore quiet hours and frequency caps. */
  public record Overrides(boolean ignoreQuietHours, boolean ignoreFrequencyCaps) {
    public static final Overrides NONE = new Overrides(false, false);
  }

  /** {@code {once: true}} or {@code {cooldown: D}}; the default is a cooldown of 0s. */
  public record Reentry(boolean once, long cooldown) {
    public static final Reentry NONE = new Reentry(false, 0);

    /** Whether this rule's fires need to be remembered at all. */
    public boolean remembersFires() {
      return once || cooldown > 0;
    }
  }

  /** The message: channel and fallbacks, templates, and conditional variants. */
  public record Message(
      String channel,
      List<String> fallback,
      Template title,
      Template body,
      List<Variant> variants) {}

  /** A conditional message variant; a null title or body keeps the message's. */
  public record Variant(Condition when, Template title, Template body) {}
}
