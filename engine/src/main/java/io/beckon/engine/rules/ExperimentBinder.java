package io.beckon.engine.rules;

import io.beckon.engine.template.Template;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Binds a rule's experiment (contract section 5): a holdout share and weighted variants. */
final class ExperimentBinder {
  private static final Pattern VARIANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final double MAX_HOLDOUT_PCT = 50;
  private static final double MAX_WEIGHT = 1e9;

  private final Fields fields;
  private final TemplateBinder templates;

  ExperimentBinder(Fields fields, TemplateBinder templates) {
    this.fields = fields;
    this.templates = templates;
  }

  Experiment bind(YamlNode node) {
    if (!fields.mapping(node, Set.of("holdout_pct", "variants"))) {
      return null;
    }
    Integer holdoutBuckets = Fields.optional(node, "holdout_pct", this::holdoutBuckets, 0);
    List<Experiment.Variant> variants =
        Fields.optional(node, "variants", this::variants, List.of());
    return fields.failed() ? null : new Experiment(holdoutBuckets, variants);
  }

  private Integer holdoutBuckets(YamlNode node) {
    Double pct = fields.number(node, 0, MAX_HOLDOUT_PCT);
    if (pct == null) {
      return null;
    }
    BigDecimal buckets = new BigDecimal(String.valueOf(pct)).movePointRight(2);
    if (buckets.stripTrailingZeros().scale() > 0) {
      fields.problems().invalid(node, "at most two decimals (one bucket is 0.01%)");
      return null;
    }
    return buckets.intValue();
  }

  private List<Experiment.Variant> variants(YamlNode node) {
    List<YamlNode> elements = fields.nonEmptyList(node, "variant");
    if (elements == null) {
      return null;
    }
    fields.uniqueIds(elements, "experiment variant");
    return Fields.each(elements, this::variant);
  }

  private Experiment.Variant variant(YamlNode node) {
    if (!fields.mapping(node, Set.of("id", "weight", "title", "body"))) {
      return null;
    }
    String id = fields.required(node, "id", this::variantId);
    Double weight = fields.required(node, "weight", w -> fields.positive(w, MAX_WEIGHT));
    Template title = Fields.optional(node, "title", templates::bind, null);
    Template body = Fields.optional(node, "body", templates::bind, null);
    return fields.failed()
        ? null
        : new Experiment.Variant(id, new BigDecimal(String.valueOf(weight)), title, body);
  }

  private String variantId(YamlNode node) {
    String id = fields.matching(node, VARIANT_ID, "1 to 32 characters: A-Z, a-z, 0-9, '_' and '-'");
    if (Experiment.HOLDOUT.equals(id)) {
      fields
          .problems()
          .invalid(node, "'holdout' names the holdout group; choose another variant id");
      return null;
    }
    return id;
  }
}
