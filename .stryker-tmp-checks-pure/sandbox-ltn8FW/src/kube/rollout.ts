// @ts-nocheck
// The verdict of `kubectl rollout status` for a deployment (kubectl's DeploymentStatusViewer), pure.
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import type { DeploymentLike } from "./types.js";
export interface RolloutVerdict {
  /** The rollout is complete. */
  done: boolean;
  /** The rollout can no longer complete (progress deadline exceeded): stop waiting. */
  failed: boolean;
  /** kubectl's message, without the trailing newline. */
  message: string;
}

/** Same checks, order and wording as kubectl; missing numbers count as 0. */
export function rolloutVerdict(deployment: DeploymentLike, name: string): RolloutVerdict {
  if (stryMutAct_9fa48("612")) {
    {}
  } else {
    stryCov_9fa48("612");
    const generation = stryMutAct_9fa48("613") ? deployment.metadata?.generation && 0 : (stryCov_9fa48("613"), (stryMutAct_9fa48("614") ? deployment.metadata.generation : (stryCov_9fa48("614"), deployment.metadata?.generation)) ?? 0);
    const status = stryMutAct_9fa48("615") ? deployment.status && {} : (stryCov_9fa48("615"), deployment.status ?? {});
    if (stryMutAct_9fa48("619") ? generation > (status.observedGeneration ?? 0) : stryMutAct_9fa48("618") ? generation < (status.observedGeneration ?? 0) : stryMutAct_9fa48("617") ? false : stryMutAct_9fa48("616") ? true : (stryCov_9fa48("616", "617", "618", "619"), generation <= (stryMutAct_9fa48("620") ? status.observedGeneration && 0 : (stryCov_9fa48("620"), status.observedGeneration ?? 0)))) {
      if (stryMutAct_9fa48("621")) {
        {}
      } else {
        stryCov_9fa48("621");
        const progressing = (stryMutAct_9fa48("622") ? status.conditions && [] : (stryCov_9fa48("622"), status.conditions ?? (stryMutAct_9fa48("623") ? ["Stryker was here"] : (stryCov_9fa48("623"), [])))).find(stryMutAct_9fa48("624") ? () => undefined : (stryCov_9fa48("624"), c => stryMutAct_9fa48("627") ? c.type !== "Progressing" : stryMutAct_9fa48("626") ? false : stryMutAct_9fa48("625") ? true : (stryCov_9fa48("625", "626", "627"), c.type === (stryMutAct_9fa48("628") ? "" : (stryCov_9fa48("628"), "Progressing")))));
        if (stryMutAct_9fa48("631") ? progressing?.reason !== "ProgressDeadlineExceeded" : stryMutAct_9fa48("630") ? false : stryMutAct_9fa48("629") ? true : (stryCov_9fa48("629", "630", "631"), (stryMutAct_9fa48("632") ? progressing.reason : (stryCov_9fa48("632"), progressing?.reason)) === (stryMutAct_9fa48("633") ? "" : (stryCov_9fa48("633"), "ProgressDeadlineExceeded")))) {
          if (stryMutAct_9fa48("634")) {
            {}
          } else {
            stryCov_9fa48("634");
            return stryMutAct_9fa48("635") ? {} : (stryCov_9fa48("635"), {
              done: stryMutAct_9fa48("636") ? true : (stryCov_9fa48("636"), false),
              failed: stryMutAct_9fa48("637") ? false : (stryCov_9fa48("637"), true),
              message: stryMutAct_9fa48("638") ? `` : (stryCov_9fa48("638"), `deployment "${name}" exceeded its progress deadline`)
            });
          }
        }
        const desired = stryMutAct_9fa48("639") ? deployment.spec.replicas : (stryCov_9fa48("639"), deployment.spec?.replicas);
        const replicas = stryMutAct_9fa48("640") ? status.replicas && 0 : (stryCov_9fa48("640"), status.replicas ?? 0);
        const updated = stryMutAct_9fa48("641") ? status.updatedReplicas && 0 : (stryCov_9fa48("641"), status.updatedReplicas ?? 0);
        const available = stryMutAct_9fa48("642") ? status.availableReplicas && 0 : (stryCov_9fa48("642"), status.availableReplicas ?? 0);
        const waiting = stryMutAct_9fa48("643") ? `` : (stryCov_9fa48("643"), `Waiting for deployment "${name}" rollout to finish:`);
        if (stryMutAct_9fa48("646") ? desired !== undefined || updated < desired : stryMutAct_9fa48("645") ? false : stryMutAct_9fa48("644") ? true : (stryCov_9fa48("644", "645", "646"), (stryMutAct_9fa48("648") ? desired === undefined : stryMutAct_9fa48("647") ? true : (stryCov_9fa48("647", "648"), desired !== undefined)) && (stryMutAct_9fa48("651") ? updated >= desired : stryMutAct_9fa48("650") ? updated <= desired : stryMutAct_9fa48("649") ? true : (stryCov_9fa48("649", "650", "651"), updated < desired)))) {
          if (stryMutAct_9fa48("652")) {
            {}
          } else {
            stryCov_9fa48("652");
            return stryMutAct_9fa48("653") ? {} : (stryCov_9fa48("653"), {
              done: stryMutAct_9fa48("654") ? true : (stryCov_9fa48("654"), false),
              failed: stryMutAct_9fa48("655") ? true : (stryCov_9fa48("655"), false),
              message: stryMutAct_9fa48("656") ? `` : (stryCov_9fa48("656"), `${waiting} ${updated} out of ${desired} new replicas have been updated...`)
            });
          }
        }
        if (stryMutAct_9fa48("660") ? replicas <= updated : stryMutAct_9fa48("659") ? replicas >= updated : stryMutAct_9fa48("658") ? false : stryMutAct_9fa48("657") ? true : (stryCov_9fa48("657", "658", "659", "660"), replicas > updated)) {
          if (stryMutAct_9fa48("661")) {
            {}
          } else {
            stryCov_9fa48("661");
            return stryMutAct_9fa48("662") ? {} : (stryCov_9fa48("662"), {
              done: stryMutAct_9fa48("663") ? true : (stryCov_9fa48("663"), false),
              failed: stryMutAct_9fa48("664") ? true : (stryCov_9fa48("664"), false),
              message: stryMutAct_9fa48("665") ? `` : (stryCov_9fa48("665"), `${waiting} ${stryMutAct_9fa48("666") ? replicas + updated : (stryCov_9fa48("666"), replicas - updated)} old replicas are pending termination...`)
            });
          }
        }
        if (stryMutAct_9fa48("670") ? available >= updated : stryMutAct_9fa48("669") ? available <= updated : stryMutAct_9fa48("668") ? false : stryMutAct_9fa48("667") ? true : (stryCov_9fa48("667", "668", "669", "670"), available < updated)) {
          if (stryMutAct_9fa48("671")) {
            {}
          } else {
            stryCov_9fa48("671");
            return stryMutAct_9fa48("672") ? {} : (stryCov_9fa48("672"), {
              done: stryMutAct_9fa48("673") ? true : (stryCov_9fa48("673"), false),
              failed: stryMutAct_9fa48("674") ? true : (stryCov_9fa48("674"), false),
              message: stryMutAct_9fa48("675") ? `` : (stryCov_9fa48("675"), `${waiting} ${available} of ${updated} updated replicas are available...`)
            });
          }
        }
        return stryMutAct_9fa48("676") ? {} : (stryCov_9fa48("676"), {
          done: stryMutAct_9fa48("677") ? false : (stryCov_9fa48("677"), true),
          failed: stryMutAct_9fa48("678") ? true : (stryCov_9fa48("678"), false),
          message: stryMutAct_9fa48("679") ? `` : (stryCov_9fa48("679"), `deployment "${name}" successfully rolled out`)
        });
      }
    }
    return stryMutAct_9fa48("680") ? {} : (stryCov_9fa48("680"), {
      done: stryMutAct_9fa48("681") ? true : (stryCov_9fa48("681"), false),
      failed: stryMutAct_9fa48("682") ? true : (stryCov_9fa48("682"), false),
      message: stryMutAct_9fa48("683") ? "" : (stryCov_9fa48("683"), "Waiting for deployment spec update to be observed...")
    });
  }
}