package io.beckon.engine.rules;

import io.beckon.engine.time.Durations;
import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses {@code policies.yaml} into {@link Policies}; strict like {@link RuleParser}. */
public final class PoliciesParser {
  private static final Pattern TIME_OF_DAY = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

  private PoliciesParser() {}

  /** The policies of a {@code policies.yaml} text; an empty document means none. */
  public static Policies parse(String yaml) {
    YamlNode root = YamlNode.parse(yaml);
    if (root.isScalar() && root.scalar() == null) {
      return Policies.NONE;
    }
    if (!root.isMap()) {
      throw root.error("policies.yaml must be a mapping");
    }
    checkKeys(root, Set.of("default_timezone", "quiet_hours", "frequency_caps"));
    ZoneId zone = null;
    YamlNode zoneNode = root.get("default_timezone");
    if (zoneNode != null) {
      if (!(zoneNode.scalar() instanceof String id) || !ZoneId.getAvailableZoneIds().contains(id)) {
        throw zoneNode.error(
            "default_timezone: '" + zoneNode.scalar() + "' is not an IANA time zone id");
      }
      try {
        zone = ZoneId.of(id);
      } catch (DateTimeException e) {
        throw zoneNode.error("default_timezone: " + e.getMessage());
      }
    }
    Policies.QuietHours quiet = null;
    YamlNode quietNode = root.get("quiet_hours");
    if (quietNode != null) {
      if (!quietNode.isMap()) {
        throw quietNode.error("quiet_hours must be a mapping {start, end}");
      }
      checkKeys(quietNode, Set.of("start", "end"));
      LocalTime start = timeOfDay(required(quietNode, "start"));
      LocalTime end = timeOfDay(required(quietNode, "end"));
      quiet = start.equals(end) ? null : new Policies.QuietHours(start, end);
    }
    List<Policies.FrequencyCap> caps = new ArrayList<>();
    YamlNode capsNode = root.get("frequency_caps");
    if (capsNode != null) {
      if (!capsNode.isList()) {
        throw capsNode.error("frequency_caps must be a list of {max, per}");
      }
      for (YamlNode cap : capsNode.elements()) {
        if (!cap.isMap()) {
          throw cap.error("a frequency cap must be a mapping {max, per}");
        }
        checkKeys(cap, Set.of("max", "per"));
        YamlNode max = required(cap, "max");
        if (!(max.scalar() instanceof Long m) || m < 1 || m > Integer.MAX_VALUE) {
          throw max.error("max must be a whole number of at least 1");
        }
        YamlNode per = required(cap, "per");
        long window;
        try {
          window = Durations.parseMillis(String.valueOf(per.scalar()));
        } catch (IllegalArgumentException e) {
          throw per.error(e.getMessage());
        }
        if (window <= 0) {
          throw per.error("a cap window must be longer than 0s");
        }
        caps.add(new Policies.FrequencyCap(m.intValue(), window));
      }
    }
    return new Policies(zone, quiet, List.copyOf(caps));
  }

  private static LocalTime timeOfDay(YamlNode node) {
    if (!(node.scalar() instanceof String s) || !TIME_OF_DAY.matcher(s).matches()) {
      throw node.error("'" + node.scalar() + "' is not a time of day (HH:MM, 00:00 to 23:59)");
    }
    return LocalTime.parse(s);
  }

  private static YamlNode required(YamlNode parent, String key) {
    YamlNode child = parent.get(key);
    if (child == null) {
      throw parent.error("missing required key '" + key + "'");
    }
    return child;
  }

  private static void checkKeys(YamlNode node, Set<String> allowed) {
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw node.key(e.getKey()).error("unknown key '" + e.getKey() + "'");
      }
    }
  }
}
