package io.beckon.tools.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beckon.engine.rules.RuleSet;
import java.util.List;
import java.util.Map;

/**
 * A small hand-built replay output. Rule {@code promo} has an experiment: holdout 20% (buckets 0 to
 * 1999), then a [2000, 6000) and b [6000, 10000). The users' buckets for {@code promo}, computed
 * outside this code base (the first 8 bytes of SHA-256 of "promo:u-N", big-endian, mod 10000):
 *
 * <pre>
 * u-1 3706 a     u-2 5777 a     u-3 1194 holdout   u-4 7446 b    u-5 2087 a    u-6 9191 b
 * u-7 7961 b     u-8 571 holdout u-9 6407 b        u-12 3846 a   u-15 1376 holdout
 * u-24 1579 holdout
 * </pre>
 *
 * Rule {@code plain} has no experiment; {@code ghost} is in no rule file (a deleted rule); {@code
 * idle} never fires and defines no conversion.
 */
final class ReportFixtures {
  private ReportFixtures() {}

  static final String PROMO =
      """
      id: promo
      version: 1
      trigger: {kind: cart_abandoned, delay: 2h}
      experiment:
        holdout_pct: 20
        variants:
          - {id: a, weight: 50}
          - {id: b, weight: 50}
      conversion: {event: purchase_completed, within: 3d}
      message: {channel: push, body: "hi"}
      """;
  static final String PLAIN =
      """
      id: plain
      version: 2
      trigger: {kind: cart_abandoned, delay: 1h}
      conversion: {event: purchase_completed, within: 1d}
      message: {channel: push, body: "hello"}
      """;
  static final String IDLE =
      """
      id: idle
      version: 1
      trigger: {kind: cart_abandoned, delay: 3h}
      message: {channel: push, body: "idle"}
      """;

  static RuleSet rules() {
    return RuleSet.parse(Map.of("promo.yaml", PROMO, "plain.yaml", PLAIN, "idle.yaml", IDLE));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static String command(String rule, String user, String variant, String fireTime) {
    ObjectNode n = JSON.createObjectNode();
    n.put("send_id", "s-" + rule + "-" + user);
    n.put("user_id", user);
    n.put("rule_id", rule);
    n.put("rule_version", 1);
    n.put("trigger", "cart_abandoned");
    n.put("fire_time", fireTime);
    n.put("send_after", fireTime);
    n.put("expires_at", "2026-02-01T00:00:00Z");
    n.put("channel", "push");
    n.put("address", "tok");
    n.put("variant", variant);
    n.putNull("title");
    n.put("body", "hi");
    n.putObject("variables");
    return n.toString();
  }

  static String suppression(String rule, String user, String reason, String fireTime) {
    ObjectNode n = JSON.createObjectNode();
    n.put("user_id", user);
    n.put("rule_id", rule);
    n.put("rule_version", 1);
    n.put("trigger", "cart_abandoned");
    n.put("fire_time", fireTime);
    n.put("reason", reason);
    n.putNull("journey_step");
    n.putNull("journey_instance");
    return n.toString();
  }

  static String conversion(String rule, String user, String variant, String fireTime) {
    ObjectNode n = JSON.createObjectNode();
    n.put("send_id", "s-" + rule + "-" + user);
    n.put("rule_id", rule);
    n.put("variant", variant);
    n.put("user_id", user);
    n.put("fire_time", fireTime);
    n.put("conversion_time", "2026-01-06T09:00:00Z");
    n.put("total", 12.5);
    return n.toString();
  }

  static final String T1 = "2026-01-05T10:00:00Z";
  static final String T2 = "2026-01-05T12:30:00Z";
  static final String FIRST = "2026-01-04T08:15:00Z";
  static final String LAST = "2026-01-07T19:45:00Z";

  static List<String> commands() {
    return List.of(
        command("promo", "u-1", "a", T1),
        command("promo", "u-2", "a", T1),
        command("promo", "u-5", "a", T2),
        command("promo", "u-4", "b", T1),
        command("promo", "u-6", "b", LAST),
        command("plain", "u-1", "default", T1),
        command("plain", "u-2", "default", T2),
        command("ghost", "u-9", "default", T1));
  }

  static List<String> suppressions() {
    return List.of(
        suppression("promo", "u-3", "holdout", T1),
        suppression("promo", "u-8", "holdout", FIRST),
        suppression("promo", "u-15", "holdout", T2),
        suppression("promo", "u-12", "audience", T1),
        suppression("promo", "u-7", "frequency_cap", T1),
        suppression("promo", "u-24", "audience", T2),
        suppression("promo", "u-9", "unreachable", T2),
        "",
        suppression("plain", "u-3", "reentry", T1),
        suppression("ghost", "u-10", "audience", T2));
  }

  static List<String> conversions() {
    return List.of(
        conversion("promo", "u-1", "a", T1),
        conversion("promo", "u-5", "a", T2),
        conversion("promo", "u-4", "b", T1),
        conversion("promo", "u-3", "holdout", T1),
        conversion("plain", "u-2", "default", T2));
  }

  static ReportModel model(RuleSet rules) {
    return ReportModel.from(commands(), suppressions(), conversions(), rules);
  }
}
