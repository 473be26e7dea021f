package io.jdiffusion.util;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A plain SLF4J backend: info, warning and error lines printed as they are, one per line (the
 * library's messages carry their own "warning: " or "error: "), on a stream looked up at each call.
 * Debug and trace are off. Not registered here: the command line registers a subclass on stderr
 * ({@code io.jdiffusion.cli.ConsoleLogging}); an application may do the same, or bind any other backend.
 */
public abstract class LineLogging implements SLF4JServiceProvider {
  private final ILoggerFactory factory;
  private final IMarkerFactory markers = new BasicMarkerFactory();

  /** @param out the stream each line goes to, looked up at each call (a redirected stream is followed) */
  protected LineLogging(Supplier<PrintStream> out) {
    this.factory = new Factory(out);
  }

  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Factory implements ILoggerFactory {
    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private final Supplier<PrintStream> out;

    Factory(Supplier<PrintStream> out) {
      this.out = out;
    }

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, n -> new Lines(n, out));
    }
  }

  /** One logger: INFO and above, a line each. */
  private static final class Lines extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1;
    private final transient Supplier<PrintStream> out;

    Lines(String name, Supplier<PrintStream> out) {
      this.name = name;
      this.out = out;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable t) {
      String line = MessageFormatter.basicArrayFormat(pattern, args);
      PrintStream s = out.get();
      synchronized (s) {
        s.println(line);
        if (t != null) {
          s.println("  (" + t + ")");
        }
      }
    }
  }
}
