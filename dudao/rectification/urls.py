from django.urls import path

from dudao.rectification.views import county, liaison, meetings, plans, tasks

app_name = "rectification"
urlpatterns = [
    path("", tasks.mine, name="mine"),
    path("county/<str:code>/", county.dashboard, name="dashboard"),
    path("county/<str:code>/items/", county.items, name="items"),
    path("county/<str:code>/items/generate/", county.generate, name="generate"),
    path("county/<str:code>/items/add/", county.add_item, name="add_item"),
    path("county/<str:code>/bulletins/", county.bulletins, name="bulletins"),
    path("bulletin/<id:pk>/", county.bulletin, name="bulletin"),
    path("county/<str:code>/plans/", plans.plans, name="plans"),
    path("plan/<id:pk>/", plans.plan, name="plan"),
    path("plan/<id:pk>/tasks/", plans.add_task, name="add_task"),
    path("plan/<id:pk>/import/", plans.import_tasks, name="import_tasks"),
    path("plan/<id:pk>/export/", plans.export_tasks, name="export_tasks"),
    path("task/<id:pk>/", tasks.task, name="task"),
    path("task/<id:pk>/report/", tasks.report, name="report"),
    path("task/<id:pk>/accept/", tasks.accept, name="accept"),
    path("task/<id:pk>/return/", tasks.send_back, name="return"),
    path("task/<id:pk>/edit/", tasks.edit, name="edit"),
    path("task/<id:pk>/milestones/", tasks.add_milestone, name="add_milestone"),
    path("milestone/<id:pk>/done/", tasks.milestone_done, name="milestone_done"),
    path("task/<id:pk>/close-item/", tasks.close_item, name="close_item"),
    path("evidence/<id:pk>/", tasks.evidence, name="evidence"),
    path("county/<str:code>/liaison/", liaison.liaison, name="liaison"),
    path("county/<str:code>/liaison/<str:what>/", liaison.change, name="liaison_change"),
    path("county/<str:code>/liaison-files/", liaison.files, name="liaison_files"),
    path("liaison-evidence/<id:pk>/", liaison.liaison_evidence, name="liaison_evidence"),
    path("county/<str:code>/meetings/", meetings.meetings, name="meetings"),
    path("meeting/<id:pk>/", meetings.meeting, name="meeting"),
    path("meeting/<id:pk>/decisions/", meetings.add_decision, name="add_decision"),
    path("decision/<id:pk>/task/", meetings.decision_task, name="decision_task"),
]
