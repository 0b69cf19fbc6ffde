package io.beckon.engine.rules;

import java.util.Map;
import java.util.Set;

/**
 * The names a rule can read (contract sections 3 and 6): the profile's attributes and computed
 * properties, which every user can have, and the variables each trigger kind adds at fire time.
 */
final class Variables {
  /** Profile properties every user can have (contract section 1). */
  static final Set<String> PROFILE =
      Set.of(
          "first_seen_at",
          "last_seen_at",
          "last_active_at",
          "session_count",
          "purchase_count",
          "total_spent",
          "last_purchase_at",
          "app_version",
          "platform",
          "locale",
          "timezone",
          "cart_value",
          "cart_units",
          "cart_skus",
          "lifecycle_stage",
          "first_name",
          "last_name",
          "email",
          "phone",
          "birthday",
          "country",
          "city",
          "gender",
          "language",
          "currency");

  /** Per kind; an {@code event} trigger's variables are the event's properties, {@code event.*}. */
  private static final Map<String, Set<String>> OF_TRIGGER =
      Map.of(
          "cart_abandoned", Set.of("cart_value", "cart_units", "cart_skus"),
          "inactivity", Set.of("inactive_days"),
          "geofence_entered", Set.of("fence_id", "distance_m"),
          "event", Set.of(),
          "date", Set.of("occurrence_date", "years"));

  private Variables() {}

  /** Whether a name is a trigger variable and no profile name (an audience cannot read it). */
  static boolean triggerOnly(String name) {
    return !PROFILE.contains(name) && OF_TRIGGER.values().stream().anyMatch(v -> v.contains(name));
  }

  /** Whether a variable path reads an event's properties ({@code event.sku}). */
  static boolean ofEvent(String variable) {
    return root(variable).equals("event");
  }

  /** Whether a template of a rule with this trigger kind knows the variable path. */
  static boolean known(String variable, String kind) {
    String root = root(variable);
    return (root.equals("event") && kind.equals("event"))
        || root.equals("event_count")
        || OF_TRIGGER.get(kind).contains(variable)
        || PROFILE.contains(root);
  }

  private static String root(String variable) {
    int dot = variable.indexOf('.');
    return dot < 0 ? variable : variable.substring(0, dot);
  }
}
