package dev.signagefleet.management.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.Map;

/**
 * The console's JTE templates, compiled to Java classes at build time (jte-maven-plugin), so a
 * template that refers to a missing field fails the build, not a page view.
 */
public final class Templates {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** Renders {@code console/<name>.jte} with its parameters. */
    public String render(String name, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        engine.render("console/" + name + ".jte", params, out);
        return out.toString();
    }
}
