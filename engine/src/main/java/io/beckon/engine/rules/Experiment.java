package io.beckon.engine.rules;

import io.beckon.engine.template.Template;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule's experiment (contract sections 5 and 6): a holdout share and an optional weighted A/B/n
 * split of the rest. Assignment depends on the rule id and user id alone, so it is sticky across
 * versions and any other system can recompute it.
 *
 * @param holdoutBuckets buckets {@code [0, holdoutBuckets)} of 10,000 are the holdout
 * @param variants the split of the remaining buckets; empty: everyone else gets {@code default}
 */
public record Experiment(int holdoutBuckets, List<Variant> variants) {
  public static final int BUCKETS = 10_000;
  public static final String HOLDOUT = "holdout";
  public static final String DEFAULT_VARIANT = "default";

  /**
   * One variant; a null title or body keeps the message's. Weights are kept as the exact decimals
   * written, so bucket boundaries never depend on binary floating point.
   */
  public record Variant(String id, BigDecimal weight, Template title, Template body) {}

  /** The variant ids' bucket ends (exclusive), in listed order; the last one is 10,000. */
  public List<Integer> bucketEnds() {
    BigDecimal total =
        variants.stream().map(Variant::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal rest = BigDecimal.valueOf(BUCKETS - holdoutBuckets);
    List<Integer> ends = new ArrayList<>();
    BigDecimal cumulative = BigDecimal.ZERO;
    for (int i = 0; i < variants.size(); i++) {
      cumulative = cumulative.add(variants.get(i).weight());
      ends.add(
          i == variants.size() - 1
              ? BUCKETS
              : holdoutBuckets
                  + rest.multiply(cumulative).divide(total, 0, RoundingMode.FLOOR).intValueExact());
    }
    return ends;
  }

  /** The group of a bucket: {@link #HOLDOUT}, a variant id, or {@link #DEFAULT_VARIANT}. */
  public String group(int bucket) {
    if (bucket < holdoutBuckets) {
      return HOLDOUT;
    }
    if (variants.isEmpty()) {
      return DEFAULT_VARIANT;
    }
    List<Integer> ends = bucketEnds();
    for (int i = 0; i < ends.size(); i++) {
      if (bucket < ends.get(i)) {
        return variants.get(i).id();
      }
    }
    return variants.get(variants.size() - 1).id();
  }

  /** The variant of that id, or null (holdout, default). */
  public Variant variant(String id) {
    return variants.stream().filter(v -> v.id().equals(id)).findFirst().orElse(null);
  }

  /**
   * The bucket of a user for a rule: the first 8 bytes of SHA-256 of {@code rule_id + ":" +
   * user_id} (UTF-8) as an unsigned big-endian integer, modulo 10,000.
   */
  public static int bucket(String ruleId, String userId) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest((ruleId + ":" + userId).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (digest[i] & 0xff);
    }
    return (int) Long.remainderUnsigned(h, BUCKETS);
  }
}
