package dev.signagefleet.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, as reported in every status ({@code agentVersion}); written into the jar by the build. */
public final class AgentVersion {

    private static final String CURRENT = load();

    private AgentVersion() {
    }

    public static String current() {
        return CURRENT;
    }

    private static String load() {
        try (InputStream in = AgentVersion.class.getResourceAsStream("agent-version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "").trim();
                if (!version.isEmpty() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through: a version is informative, not a reason to fail
        }
        return "dev";
    }
}
