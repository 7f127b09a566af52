package dev.signagefleet.management.console;

import io.javalin.http.Context;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * The console's words in English and Japanese. Each screen keeps its texts in its own bundle under
 * {@code console/i18n/} (UTF-8 properties); a key is looked up in all of them. The language comes
 * from the {@value #COOKIE} cookie (set by the switch in the header), else from the browser's
 * {@code Accept-Language}, else English.
 */
public final class Messages {

    public static final String COOKIE = "signage_lang";
    public static final List<String> LANGUAGES = List.of("en", "ja");
    private static final List<String> BUNDLES = List.of("common", "dashboard", "devices", "uploads", "admin", "contents", "flow", "alerts");
    private static final Map<String, Messages> BY_LANGUAGE = Map.of("en", new Messages("en"), "ja", new Messages("ja"));

    private final String language;
    private final List<ResourceBundle> bundles = new ArrayList<>();

    private Messages(String language) {
        this.language = language;
        Locale locale = Locale.forLanguageTag(language);
        for (String name : BUNDLES) {
            bundles.add(ResourceBundle.getBundle("console.i18n." + name, locale, ResourceBundle.Control.getNoFallbackControl(
                    ResourceBundle.Control.FORMAT_PROPERTIES)));
        }
    }

    public static Messages of(String language) {
        return BY_LANGUAGE.getOrDefault(language, BY_LANGUAGE.get("en"));
    }

    public static Messages forRequest(Context ctx) {
        String chosen = ctx.cookie(COOKIE);
        if (chosen != null && LANGUAGES.contains(chosen)) {
            return of(chosen);
        }
        String accept = ctx.header("Accept-Language");
        if (accept != null) {
            try {
                for (Locale.LanguageRange range : Locale.LanguageRange.parse(accept)) {
                    String primary = range.getRange().split("-")[0].toLowerCase(Locale.ROOT);
                    if (LANGUAGES.contains(primary)) {
                        return of(primary);
                    }
                }
            } catch (IllegalArgumentException e) {
                // an unreadable header: fall back to English
            }
        }
        return of("en");
    }

    public String language() {
        return language;
    }

    /** The text for a key; a missing key shows as itself in brackets, so it is noticed rather than blank. */
    public String t(String key) {
        for (ResourceBundle bundle : bundles) {
            if (bundle.containsKey(key)) {
                return bundle.getString(key);
            }
        }
        return "[" + key + "]";
    }

    /** The text for a key with {0}, {1} … filled in. */
    public String t(String key, Object... args) {
        return new MessageFormat(t(key), Locale.forLanguageTag(language)).format(args);
    }

    /** Every key of every bundle in this language, for the test that both languages say everything. */
    public java.util.Set<String> keys() {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (ResourceBundle bundle : bundles) {
            keys.addAll(bundle.keySet());
        }
        return keys;
    }
}
