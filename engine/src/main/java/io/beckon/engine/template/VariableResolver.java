package io.beckon.engine.template;

/**
 * Supplies the values a {@link Template} refers to.
 *
 * <p>{@link #resolve(String)} receives a variable path exactly as written in the template, for
 * example {@code "cart_value"} or {@code "event.sku"}. It returns {@code null} when the value is
 * missing. For a dotted path that resolves to {@code null}, the template also resolves shorter
 * prefixes (e.g. {@code "event"}) and walks into the returned {@link java.util.Map} by key, so flat
 * dotted names and nested maps both work.
 *
 * <p>Values are expected to be {@code null}, {@link String}, {@link Long}, {@link Double}, {@link
 * Boolean}, {@link java.util.List}, {@link java.util.Map} with string keys or {@link
 * java.time.Instant}; other {@link Number} types are accepted too.
 */
@FunctionalInterface
public interface VariableResolver {

  /** Returns the value at {@code path}, or {@code null} if there is none. */
  Object resolve(String path);
}
