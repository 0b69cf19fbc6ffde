package io.beckon.engine.core;

import io.beckon.schema.state.PendingFire;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic send ids: SHA-256 over rule id, user id and what identifies the trigger instance
 * (due time, the arming event, the fence), cut to 128 bits. Replaying the same input gives the same
 * ids, so delivery workers can deduplicate on them.
 */
public final class SendIds {
  private SendIds() {}

  public static String of(String ruleId, String userId, PendingFire fire) {
    return digest(
        ruleId,
        userId,
        Long.toString(fire.getDueTime()),
        fire.getSourceEventId(),
        fire.getFenceId() == null ? "" : fire.getFenceId());
  }

  /**
   * A journey send's id (contract section 7): from journey id, user id, instance key and step id,
   * after a "journey" tag so it can never equal a rule fire's.
   */
  public static String ofJourney(String journeyId, String userId, String instance, String step) {
    return digest("journey", journeyId, userId, instance, step);
  }

  private static String digest(String... parts) {
    String instance = String.join("\u0000", parts);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(instance.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  }
}
