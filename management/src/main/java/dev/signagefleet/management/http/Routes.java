package dev.signagefleet.management.http;

import io.javalin.config.RoutesConfig;

/** A group of endpoints that registers itself on the server. */
@FunctionalInterface
public interface Routes {

    void register(RoutesConfig routes);
}
