package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Experiment assignment (contract sections 5 and 6), pinned by vectors computed outside Java. */
class ExperimentTest {

  /**
   * {@code experiments/buckets.tsv} was written by {@code experiments/buckets.sh} with sha256sum
   * and bc only, so a bucket here that differs from Beckon's is Beckon's mistake.
   */
  @Test
  void bucketsMatchTheVectorsComputedWithSha256sum() throws IOException {
    List<String> lines;
    try (InputStream in = getClass().getResourceAsStream("/experiments/buckets.tsv")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    int checked = 0;
    for (String line : lines) {
      if (line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split("\t", -1);
      assertEquals(
          Integer.parseInt(cells[2]),
          Experiment.bucket(cells[0], cells[1]),
          "bucket of " + cells[0] + ":" + cells[1]);
      checked++;
    }
    assertEquals(32, checked);
  }

  private static Experiment parse(String experimentYaml) {
    return RuleParser.parse(
            "id: exp-rule\nversion: 1\ntrigger: {kind: event, event: ping}\n"
                + "message: {channel: in_app, body: x}\nexperiment: "
                + experimentYaml
                + "\n")
        .experiment();
  }

  @Test
  void holdoutThenVariantsByCumulativeWeightRoundedDownTheLastTakingTheRest() {
    // holdout 10% = buckets [0, 1000); N = 9000; ends 1000 + floor(9000 * k/3): 4000, 7000, 10000
    Experiment e =
        parse(
            "{holdout_pct: 10, variants: [{id: a, weight: 1}, {id: b, weight: 1}, {id: c, weight: 1}]}");
    assertEquals(1000, e.holdoutBuckets());
    assertEquals(List.of(4000, 7000, 10000), e.bucketEnds());
    assertEquals("holdout", e.group(0));
    assertEquals("holdout", e.group(999));
    assertEquals("a", e.group(1000));
    assertEquals("a", e.group(3999));
    assertEquals("b", e.group(4000));
    assertEquals("c", e.group(7000));
    assertEquals("c", e.group(9999));
  }

  @Test
  void decimalWeightsAreExactNotBinaryFloatingPoint() {
    // 9000 * 0.1 / (0.1 + 0.2) is exactly 3000; in doubles the total is 0.30000000000000004 and
    // the quotient 2999.9999999999995, which would floor to 2999. 12.5% is exactly 1250 buckets.
    Experiment e =
        parse("{holdout_pct: 10, variants: [{id: a, weight: 0.1}, {id: b, weight: 0.2}]}");
    assertEquals(List.of(4000, 10000), e.bucketEnds());
    assertEquals(1250, parse("{holdout_pct: 12.5}").holdoutBuckets());
  }

  @Test
  void withoutVariantsEveryoneOutsideTheHoldoutGetsDefault() {
    Experiment e = parse("{holdout_pct: 50}");
    assertEquals("holdout", e.group(4999));
    assertEquals("default", e.group(5000));
    Experiment none = parse("{variants: [{id: a, weight: 3}, {id: b, weight: 1}]}");
    assertEquals(List.of(7500, 10000), none.bucketEnds());
    assertEquals("a", none.group(0));
  }
}
