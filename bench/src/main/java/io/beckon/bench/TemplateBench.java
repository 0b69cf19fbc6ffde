package io.beckon.bench;

import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleLimits;
import io.beckon.engine.template.Template;
import io.beckon.engine.template.VariableResolver;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The cart rule's title and body rendered for the returning shopper: the cart's trigger variables
 * first, then the profile, as a fire looks names up ({@code default} and {@code round} filters, a
 * custom attribute, computed cart properties).
 */
public class TemplateBench extends EngineBenchmark {
  private Template title;
  private Template body;
  private VariableResolver vars;

  @Setup
  public void setUp() {
    UserEngine engine = new UserEngine(ExampleRules.all());
    Rule.Message message = engine.rules().get(ExampleRules.CART).message();
    title = message.title();
    body = message.body();
    UserStore store = Shopper.stateBeforeNow(engine);
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("cart_value", ProfileView.cartValue(store.cart()));
    trigger.put("cart_units", ProfileView.cartUnits(store.cart()));
    trigger.put("cart_skus", ProfileView.cartSkus(store.cart()));
    ProfileView profile = new ProfileView(store, Shopper.NOW);
    vars =
        name -> {
          Object value = trigger.get(name);
          return value != null ? value : profile.get(name);
        };
  }

  @Benchmark
  public String title() {
    return title.render(vars, RuleLimits.RENDERED_TITLE_CHARS);
  }

  @Benchmark
  public String body() {
    return body.render(vars, RuleLimits.RENDERED_BODY_CHARS);
  }
}
