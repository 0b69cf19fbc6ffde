package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.geo.Fence;
import io.beckon.engine.time.Durations;
import java.util.List;
import java.util.Set;

/**
 * Binds a rule's trigger (contract section 3): its kind, then that kind's parameters. Fences are
 * checked beyond their ranges: unique ids, polygons with three distinct points that do not cross
 * themselves.
 */
final class TriggerBinder {
  static final List<String> KINDS =
      List.of("cart_abandoned", "inactivity", "geofence_entered", "event", "date");

  /** The computed timestamps a date trigger can read (contract section 8). */
  static final Set<String> COMPUTED_TIMESTAMPS =
      Set.of("first_seen_at", "last_seen_at", "last_active_at", "last_purchase_at");

  private static final double DEFAULT_MAX_ACCURACY_M = 100;
  private static final double MAX_ACCURACY_M = 1e7;
  private static final double MAX_RADIUS_M = 2e7;

  private final Fields fields;
  private final ConditionBinder conditions;

  TriggerBinder(Fields fields, ConditionBinder conditions) {
    this.fields = fields;
    this.conditions = conditions;
  }

  /** The trigger's kind; null (reported) when the trigger is not a mapping or has no known kind. */
  String kind(YamlNode node) {
    if (!fields.mapping(node)) {
      return null;
    }
    return fields.required(node, "kind", k -> fields.oneOf(k, KINDS));
  }

  /** The trigger, given its {@link #kind}. */
  Trigger bind(YamlNode node, String kind) {
    return switch (kind) {
      case "cart_abandoned" -> cartAbandoned(node);
      case "inactivity" -> inactivity(node);
      case "geofence_entered" -> geofence(node);
      case "date" -> onDate(node);
      default -> onEvent(node);
    };
  }

  private Trigger cartAbandoned(YamlNode node) {
    fields.onlyKeys(node, Set.of("kind", "delay"));
    Long delay = fields.required(node, "delay", fields::duration);
    return fields.failed() ? null : new Trigger.CartAbandoned(delay);
  }

  private Trigger inactivity(YamlNode node) {
    fields.onlyKeys(node, Set.of("kind", "after", "activity"));
    Long after = fields.required(node, "after", fields::duration);
    List<String> activity =
        Fields.optional(
            node,
            "activity",
            a -> Fields.each(fields.nonEmptyList(a, "event type"), fields::name),
            List.of("app_opened"));
    return fields.failed() ? null : new Trigger.Inactivity(after, Set.copyOf(activity));
  }

  private Trigger onEvent(YamlNode node) {
    fields.onlyKeys(node, Set.of("kind", "event", "where", "delay"));
    String event = fields.required(node, "event", fields::name);
    Condition where = Fields.optional(node, "where", conditions::bind, null);
    Long delay = Fields.optional(node, "delay", fields::duration, 0L);
    return fields.failed() ? null : new Trigger.OnEvent(event, where, delay);
  }

  private Trigger onDate(YamlNode node) {
    fields.onlyKeys(node, Set.of("kind", "attribute", "offset", "at", "repeat"));
    String attribute = fields.required(node, "attribute", fields::name);
    Long offset = Fields.optional(node, "offset", fields::signedDuration, 0L);
    java.time.LocalTime at = Fields.optional(node, "at", fields::timeOfDay, null);
    String repeat =
        Fields.optional(node, "repeat", r -> fields.oneOf(r, List.of("none", "yearly")), "none");
    if (fields.failed()) {
      return null;
    }
    if (at != null && offset % Durations.DAY != 0) {
      fields
          .problems()
          .invalid(
              node.get("offset"),
              "with 'at' (calendar mode) the offset must be whole days, e.g. -7d");
      return null;
    }
    if (at == null && repeat.equals("yearly")) {
      fields
          .problems()
          .invalid(node.get("repeat"), "repeat: yearly needs 'at' (a time of day, calendar mode)");
      return null;
    }
    return new Trigger.OnDate(attribute, offset, at, repeat.equals("yearly"));
  }

  private Trigger geofence(YamlNode node) {
    fields.onlyKeys(node, Set.of("kind", "fences", "max_accuracy_m", "dwell", "cooldown"));
    List<Fence> fences = fields.required(node, "fences", this::fences);
    Double maxAccuracy =
        Fields.optional(
            node,
            "max_accuracy_m",
            n -> fields.number(n, 0, MAX_ACCURACY_M),
            DEFAULT_MAX_ACCURACY_M);
    Long dwell = Fields.optional(node, "dwell", fields::duration, 0L);
    Long cooldown = Fields.optional(node, "cooldown", fields::duration, Durations.DAY);
    return fields.failed()
        ? null
        : new Trigger.GeofenceEntered(fences, maxAccuracy, dwell, cooldown);
  }

  private List<Fence> fences(YamlNode node) {
    List<YamlNode> elements = fields.nonEmptyList(node, "fence");
    if (elements == null) {
      return null;
    }
    fields.uniqueIds(elements, "fence");
    return Fields.each(elements, this::fence);
  }

  private Fence fence(YamlNode node) {
    if (!fields.mapping(node)) {
      return null;
    }
    if (node.get("polygon") != null) {
      fields.onlyKeys(node, Set.of("id", "polygon"));
      String id = fields.required(node, "id", fields::name);
      List<double[]> vertices = polygon(node.get("polygon"));
      return fields.failed() ? null : new Fence.Polygon(id, vertices);
    }
    fields.onlyKeys(node, Set.of("id", "lat", "lon", "radius_m"));
    String id = fields.required(node, "id", fields::name);
    Double lat = fields.required(node, "lat", this::latitude);
    Double lon = fields.required(node, "lon", this::longitude);
    Double radius = fields.required(node, "radius_m", r -> fields.positive(r, MAX_RADIUS_M));
    return fields.failed() ? null : new Fence.Circle(id, lat, lon, radius);
  }

  private List<double[]> polygon(YamlNode node) {
    List<double[]> vertices = Fields.each(fields.list(node), this::point);
    if (vertices == null) {
      return null;
    }
    if (vertices.stream().map(v -> v[0] + "," + v[1]).distinct().count() < 3) {
      fields.problems().error(node, "a polygon needs at least three distinct points");
      return null;
    }
    int[] crossing = Geometry.selfCrossing(vertices);
    if (crossing != null) {
      fields
          .problems()
          .error(
              node.elements().get(crossing[1]),
              "the polygon crosses itself: edge "
                  + (crossing[0] + 1)
                  + " and edge "
                  + (crossing[1] + 1)
                  + " intersect");
      return null;
    }
    return vertices;
  }

  private double[] point(YamlNode node) {
    if (!node.isList() || node.elements().size() != 2) {
      fields.problems().invalid(node, "a polygon point must be [lat, lon]");
      return null;
    }
    Double lat = latitude(node.elements().get(0));
    Double lon = longitude(node.elements().get(1));
    return lat == null || lon == null ? null : new double[] {lat, lon};
  }

  private Double latitude(YamlNode node) {
    return fields.number(node, -90, 90);
  }

  private Double longitude(YamlNode node) {
    return fields.number(node, -180, 180);
  }
}
