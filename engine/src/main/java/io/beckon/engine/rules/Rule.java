package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.template.Template;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** One marketer's rule, parsed and validated. {@code audience} may be null (everyone). */
public record Rule(
    String id,
    int version,
    boolean enabled,
    int priority,
    Trigger trigger,
    Condition audience,
    Set<String> exitOn,
    Reentry reentry,
    long expireAfter,
    Message message) {

  /** The order in which fires due at one instant are taken: priority (higher first), then id. */
  public static final Comparator<Rule> FIRE_ORDER =
      Comparator.comparingInt(Rule::priority).reversed().thenComparing(Rule::id);

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
