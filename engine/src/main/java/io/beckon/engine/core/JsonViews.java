package io.beckon.engine.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beckon.engine.json.Json;
import io.beckon.schema.Conversion;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;

/**
 * The contract's JSON views of send commands, suppressions (section 4), conversions (section 5) and
 * journey events (section 7), one line each.
 */
public final class JsonViews {
  private JsonViews() {}

  public static String of(SendCommand c) {
    ObjectNode n = Json.object();
    n.put("send_id", c.getSendId());
    n.put("user_id", c.getUserId());
    n.put("rule_id", c.getRuleId());
    n.put("rule_version", c.getRuleVersion());
    n.put("trigger", c.getTrigger());
    n.put("fire_time", c.getFireTime().toString());
    n.put("send_after", c.getSendAfter().toString());
    n.put("expires_at", c.getExpiresAt().toString());
    n.put("channel", c.getChannel());
    nullable(n, "address", c.getAddress());
    n.put("variant", c.getVariant());
    nullable(n, "title", c.getTitle());
    n.put("body", c.getBody());
    n.set("variables", Json.toNode(Json.parseObject(c.getVariables())));
    nullable(n, "journey_step", c.getJourneyStep());
    nullable(n, "journey_instance", c.getJourneyInstance());
    return Json.write(n);
  }

  public static String of(Suppression s) {
    ObjectNode n = Json.object();
    n.put("user_id", s.getUserId());
    n.put("rule_id", s.getRuleId());
    n.put("rule_version", s.getRuleVersion());
    n.put("trigger", s.getTrigger());
    n.put("fire_time", s.getFireTime().toString());
    n.put("reason", s.getReason());
    // Journey fields (contract section 7) are null for rules.
    nullable(n, "journey_step", s.getJourneyStep());
    nullable(n, "journey_instance", s.getJourneyInstance());
    return Json.write(n);
  }

  private static void nullable(ObjectNode n, String name, String value) {
    if (value == null) {
      n.putNull(name);
    } else {
      n.put(name, value);
    }
  }

  public static String of(Conversion c) {
    ObjectNode n = Json.object();
    n.put("send_id", c.getSendId());
    n.put("rule_id", c.getRuleId());
    n.put("variant", c.getVariant());
    n.put("user_id", c.getUserId());
    n.put("fire_time", c.getFireTime().toString());
    n.put("conversion_time", c.getConversionTime().toString());
    if (c.getTotal() == null) {
      n.putNull("total");
    } else {
      n.put("total", c.getTotal());
    }
    return Json.write(n);
  }

  /** A journey event (contract section 7); fields its type does not carry are omitted, not null. */
  public static String of(JourneyEvent e) {
    ObjectNode n = Json.object();
    n.put("user_id", e.getUserId());
    n.put("journey_id", e.getJourneyId());
    n.put("journey_version", e.getJourneyVersion());
    if (e.getInstance() != null) {
      n.put("instance", e.getInstance());
    }
    n.put("time", e.getTime().toString());
    n.put("type", e.getType());
    if (e.getStep() != null) {
      n.put("step", e.getStep());
    }
    if (e.getSendId() != null) {
      n.put("send_id", e.getSendId());
    }
    if (e.getReason() != null) {
      n.put("reason", e.getReason());
    }
    return Json.write(n);
  }
}
