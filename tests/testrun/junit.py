"""The runner's results as a JUnit XML file (build/test-results.xml), the
format CI systems read: a <testsuite> per job, a <testcase> per check, with
<failure> or <skipped> where it applies."""
import xml.etree.ElementTree as ET


def _cases(r):
    """r's cases, plus one for failures counted without a case of their
    own (protocol problems: a missing plan, a hang, an exit status)."""
    cases = list(r.cases)
    named_failures = sum(1 for c in cases if c[2] == "failed")
    if r.failed > named_failures:
        cases.append(("", "run as a whole (plan, closing line, exit status)", "failed",
                      "; ".join(r.notes) or "%d failure(s)" % (r.failed - named_failures)))
    named_passes = sum(1 for c in cases if c[2] == "passed")
    for i in range(named_passes, r.passed):
        cases.append(("", "check %d" % (i + 1), "passed", ""))
    return cases


def _suite(parent, r):
    cases = _cases(r)
    suite = ET.SubElement(parent, "testsuite", name=r.name, tests=str(len(cases)),
                          failures=str(sum(1 for c in cases if c[2] == "failed")),
                          skipped=str(sum(1 for c in cases if c[2] == "skipped")),
                          errors="0", time="%.3f" % r.secs)
    for group, name, outcome, message in cases:
        case = ET.SubElement(suite, "testcase", name=name, time="0",
                             classname=r.name + ("." + group if group else ""))
        if outcome == "failed":
            ET.SubElement(case, "failure", message=message[:500]).text = message
        elif outcome == "skipped":
            ET.SubElement(case, "skipped", message=message[:500])
    if r.log:
        ET.SubElement(suite, "system-out").text = "log: " + r.log
    return suite


def write_junit(path, results):
    root = ET.Element("testsuites", name="strata make test")
    for r in results:
        _suite(root, r)
    for attr in ("tests", "failures", "skipped"):
        root.set(attr, str(sum(int(s.get(attr)) for s in root)))
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
