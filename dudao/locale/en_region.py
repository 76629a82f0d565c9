"""English for the city and province views (overview:region), their ranking and the progress of long
operations (evaluate all counties, the census upload)."""

EN = {
    # page frame
    "省级总览": "Province overview",
    "市级总览": "City overview",
    "区域页面": "Region pages",
    "%(y)s学年": "%(y)s",
    "%(year)s学年省级总览": "%(year)s province overview",
    "%(year)s学年市级总览": "%(year)s city overview",
    "共 %(n)s 个县（市、区）：已评估 %(e)s 个，其中总体达标 %(p)s 个；结果已过期 %(s)s 个；未评估 %(u)s 个。": (
        "%(n)s counties: %(e)s evaluated, of which %(p)s met overall; %(s)s results out of date; %(u)s not assessed."
    ),
    "各县结论取自该县最近一次评估；“已过期”表示评估后填报数据又有变化，结论可能已不同。本页不重新评估。": (
        "Each county's verdicts are from its latest evaluation; \u201cout of date\u201d means its census changed "
        "after that evaluation, so the verdict may now differ. This page does not re-evaluate."
    ),
    "各市汇总": "Cities",
    "各县（市、区）对比": "County comparison",
    "点击列标题排序，再次点击反向排序；没有数值的县排在最后。县名链接到该县的县域总览。": (
        "Click a column heading to sort, again to reverse; counties without a value come last. "
        "A county's name leads to its county overview."
    ),
    "差异系数按各县评估所用标准的限值着色：超过限值的标注“超限”。": (
        "CVs are coloured against the limit of the standard each county was evaluated with; a CV over its "
        "limit is marked \u201cover limit\u201d."
    ),
    "排名与第一方阵": "Ranking and first tier",
    "选择排名依据（数值越小越靠前）。选多项时，先按每项分别排名（并列取相同名次），再按名次之和排名。": (
        "Choose what to rank on (lower is better). With several, counties are ranked on each (ties share a "
        "place), then on the sum of their places."
    ),
    "排名": "Rank",
    # evaluate all
    "更新评估结果": "Bring results up to date",
    "下列 %(n)s 个县（市、区）的评估结果已过期或尚未评估，可按当前填报数据更新：": (
        "Counties whose result is out of date or missing (%(n)s); they can be evaluated on their current census:"
    ),
    "全部评估（%(n)s 个）": "Evaluate all (%(n)s)",
    "评估": "Evaluate",
    "正在评估：%(name)s": "Evaluating: %(name)s",
    "已评估：达标": "Evaluated: met",
    "已评估：未达标": "Evaluated: not met",
    "已评估：未判定": "Evaluated: undetermined",
    "评估失败：": "Evaluation failed: ",
    "网络或服务器错误，请稍后重试": "network or server error; please try again",
    "评估完成：成功 %(ok)s 个，失败 %(failed)s 个。汇总和排名在刷新页面后更新。": (
        "Done: %(ok)s evaluated, %(failed)s failed. The totals and the ranking update when the page is reloaded."
    ),
    "刷新页面": "Reload the page",
    "%(county)s 已重新评估": "%(county)s has been evaluated",
    "无法识别的参数：%(value)s": "Unrecognised parameter: %(value)s",
    # tables
    "各县（市、区）评估结论与填报情况": "Verdicts and census readiness by county",
    "各县（市、区）差异系数": "CVs by county",
    "县（市、区）排名": "County ranking",
    "评估状态": "Evaluation",
    "已评估": "Evaluated",
    "已过期（数据有变化）": "Out of date (data changed)",
    "未达标学校": "Failing schools",
    "待审核": "Awaiting review",
    "未报送或退回": "Not submitted or returned",
    "数据锁定": "Census locked",
    "%(level)s 综合": "%(level)s composite",
    "%(label)s（≤%(limit)s）": "%(label)s (≤%(limit)s)",
    "%(level)s 综合差异系数": "%(level)s composite CV",
    "%(level)s %(code)s 差异系数": "%(level)s %(code)s CV",
    "未达标学校数": "Failing schools",
    "超限": "over limit",
    "名次": "Place",
    "名次和": "Sum of places",
    "第一方阵": "First tier",
    "未评估，不参与排名": "Not assessed; not ranked",
    "缺少数据，不参与排名：%(what)s": "Missing data, not ranked: %(what)s",
    "结果已过期（数据有变化）": "Result out of date (data changed)",
    "县（市、区）数": "Counties",
    "未达标或未判定": "Not met or undetermined",
    "结果已过期": "Out of date",
    "已审核学校": "Schools approved",
    "名次在前 %(count)d 名以内": "a place within the first %(count)d",
    "名次在参与排名的县（市、区）的前 %(share)s 以内（向上取整）": (
        "a place within the first %(share)s of the counties ranked (rounded up)"
    ),
    "第一方阵：%(rule)s；本次 %(n)d 个参与排名，即名次 ≤ %(k)d，并列者一并列入。": (
        "First tier: %(rule)s; %(n)d counties are ranked here, so place ≤ %(k)d; counties tied on that place "
        "all belong to it."
    ),
    # census upload progress
    "正在上传": "Uploading",
    "上传完成，正在检查文件……": "Uploaded; checking the file…",
    "上传失败（网络中断），请重试": "The upload failed (network interrupted); please try again",
    "上传进度": "Upload progress",
}
