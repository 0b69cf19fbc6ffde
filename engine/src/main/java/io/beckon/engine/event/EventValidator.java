package io.beckon.engine.event;

import static io.beckon.engine.event.EventTypes.*;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Turns the JSON view of an event (from a JSON line or a decoded Avro record) into a {@link
 * UserEvent}, or explains why it is malformed. The one gate every input passes, so replay and the
 * live job reject exactly the same records.
 */
public final class EventValidator {

  /** The outcome: either an event or a human-readable reason. */
  public record Result(UserEvent event, String error) {
    public boolean ok() {
      return event != null;
    }
  }

  private enum Kind {
    STRING,
    NUMBER,
    INTEGER,
    BOOLEAN,
    OBJECT,
    ARRAY
  }

  private record Prop(String name, Kind kind, boolean required) {}

  private static final Map<String, List<Prop>> CORE_PROPERTIES =
      Map.of(
          APP_OPENED,
          List.of(
              new Prop("app_version", Kind.STRING, false),
              new Prop("platform", Kind.STRING, false),
              new Prop("locale", Kind.STRING, false),
              new Prop("timezone", Kind.STRING, false)),
          ATTRIBUTES_SET,
          List.of(new Prop("attributes", Kind.OBJECT, false)),
          CART_ITEM_ADDED,
          List.of(
              new Prop("sku", Kind.STRING, true),
              new Prop("name", Kind.STRING, false),
              new Prop("quantity", Kind.INTEGER, false),
              new Prop("price", Kind.NUMBER, false),
              new Prop("currency", Kind.STRING, false)),
          CART_ITEM_REMOVED,
          List.of(new Prop("sku", Kind.STRING, true), new Prop("quantity", Kind.INTEGER, false)),
          PURCHASE_COMPLETED,
          List.of(
              new Prop("order_id", Kind.STRING, false),
              new Prop("total", Kind.NUMBER, false),
              new Prop("currency", Kind.STRING, false),
              new Prop("items", Kind.ARRAY, false)),
          LOCATION_UPDATED,
          List.of(
              new Prop("lat", Kind.NUMBER, true),
              new Prop("lon", Kind.NUMBER, true),
              new Prop("accuracy_m", Kind.NUMBER, false)),
          PUSH_TOKEN_REGISTERED,
          List.of(new Prop("token", Kind.STRING, true), new Prop("platform", Kind.STRING, false)),
          CHANNEL_CONSENT_CHANGED,
          List.of(
              new Prop("channel", Kind.STRING, false), new Prop("granted", Kind.BOOLEAN, false)));

  private EventValidator() {}

  /** Validates a JSON view whose {@code time} is an ISO-8601 string. */
  public static Result validate(Object json) {
    if (!(json instanceof Map<?, ?> raw)) {
      return fail("not a JSON object");
    }
    Object time = raw.get("time");
    if (time == null) {
      return fail("missing required field 'time'");
    }
    if (!(time instanceof String text)) {
      return fail("'time' must be an ISO-8601 UTC string");
    }
    long millis;
    try {
      millis = Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      return fail("'time' is not an ISO-8601 UTC timestamp: '" + text + "'");
    }
    return validate(raw, millis);
  }

  /** Validates a view whose time is already known (Avro carries it as epoch milliseconds). */
  public static Result validate(Map<?, ?> raw, long timeMillis) {
    String eventId = requiredString(raw, "event_id");
    if (eventId == null) {
      return fail(stringProblem(raw, "event_id"));
    }
    String userId = requiredString(raw, "user_id");
    if (userId == null) {
      return fail(stringProblem(raw, "user_id"));
    }
    if (userId.length() > 256) {
      return fail("'user_id' is longer than 256 characters");
    }
    String type = requiredString(raw, "type");
    if (type == null) {
      return fail(stringProblem(raw, "type"));
    }
    Object props = raw.get("properties");
    if (props != null && !(props instanceof Map)) {
      return fail("'properties' must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> properties =
        props == null ? new java.util.LinkedHashMap<>() : (Map<String, Object>) props;
    String propertyError = checkCoreProperties(type, properties);
    if (propertyError != null) {
      return fail(propertyError);
    }
    return new Result(new UserEvent(eventId, userId, type, timeMillis, properties), null);
  }

  private static String checkCoreProperties(String type, Map<String, Object> properties) {
    for (Prop prop : CORE_PROPERTIES.getOrDefault(type, List.of())) {
      Object value = properties.get(prop.name());
      if (value == null) {
        if (prop.required()) {
          return type + ": missing required property '" + prop.name() + "'";
        }
        continue;
      }
      if (!hasKind(value, prop.kind())) {
        return type
            + ": property '"
            + prop.name()
            + "' must be "
            + prop.kind().name().toLowerCase(java.util.Locale.ROOT)
            + ", got "
            + describe(value);
      }
    }
    if (type.equals(LOCATION_UPDATED)) {
      double lat = ((Number) properties.get("lat")).doubleValue();
      double lon = ((Number) properties.get("lon")).doubleValue();
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        return type + ": lat/lon out of range (" + lat + ", " + lon + ")";
      }
    }
    if (type.equals(ATTRIBUTES_SET) && properties.get("attributes") instanceof Map<?, ?> attrs) {
      for (Map.Entry<?, ?> e : attrs.entrySet()) {
        Object v = e.getValue();
        if (v instanceof Map || v instanceof List) {
          return type
              + ": attribute '"
              + e.getKey()
              + "' must be a string, number, boolean or null";
        }
      }
    }
    return null;
  }

  private static boolean hasKind(Object value, Kind kind) {
    return switch (kind) {
      case STRING -> value instanceof String;
      case NUMBER -> value instanceof Number;
      case INTEGER -> value instanceof Long || value instanceof Integer;
      case BOOLEAN -> value instanceof Boolean;
      case OBJECT -> value instanceof Map;
      case ARRAY -> value instanceof List;
    };
  }

  private static String describe(Object value) {
    if (value instanceof String) return "a string";
    if (value instanceof Boolean) return "a boolean";
    if (value instanceof Number) return "a number";
    if (value instanceof Map) return "an object";
    if (value instanceof List) return "an array";
    return value.getClass().getSimpleName();
  }

  private static String requiredString(Map<?, ?> raw, String field) {
    Object value = raw.get(field);
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  private static String stringProblem(Map<?, ?> raw, String field) {
    Object value = raw.get(field);
    if (value == null) {
      return "missing required field '" + field + "'";
    }
    return "'" + field + "' must be a non-empty string";
  }

  private static Result fail(String reason) {
    return new Result(null, reason);
  }
}
